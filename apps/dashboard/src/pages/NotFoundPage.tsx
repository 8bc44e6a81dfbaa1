import { Link } from '../lib/router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        This address does not match a page. Go to <Link href="/brands">your brands</Link>.
      </p>
    </section>
  );
}
