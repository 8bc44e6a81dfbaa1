/** Usage and billing: filled in when the billing API lands in the schema. */
export function UsagePage() {
  return (
    <section>
      <h1>Usage &amp; billing</h1>
    </section>
  );
}
