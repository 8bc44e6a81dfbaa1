/** Client webhooks and their delivery log: filled in when the webhooks API lands. */
export function Webhooks() {
  return null;
}
