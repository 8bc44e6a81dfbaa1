import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  BillingDocument,
  CreateBillingPortalSessionDocument,
  CreateCheckoutSessionDocument,
  InvoicesDocument,
  SetSpendCapDocument,
  UsageDocument,
  type PlanId,
} from '../graphql/generated';
import { describeError } from '../lib/errors';
import { hasRole, useSession } from '../lib/use-session';
import { TextField } from '../components/Field';
import { ErrorNotice, Loading, SuccessNotice } from '../components/Notice';
import { METER_LABELS, UsageChart } from '../components/UsageChart';
import { TableRegion } from '../components/TableRegion';

const money = (cents: number, currency = 'usd') => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
const BILLING_CONTEXT = { additionalTypenames: ['Billing'] };

export function UsagePage() {
  const session = useSession();
  const isAdmin = hasRole(session, 'ADMIN');
  const [billing] = useQuery({ query: BillingDocument, context: BILLING_CONTEXT, requestPolicy: 'cache-and-network' });
  const [usage] = useQuery({ query: UsageDocument, requestPolicy: 'cache-and-network' });
  const b = billing.data?.billing;
  const checkout = new URLSearchParams(location.search).get('checkout');

  return (
    <section>
      <h1>Usage &amp; billing</h1>
      {checkout === 'success' && (
        <SuccessNotice>
          Payment received. The new plan shows here as soon as Stripe confirms it; reload if it has not changed yet.
        </SuccessNotice>
      )}
      {checkout === 'cancelled' && <SuccessNotice>Checkout cancelled: nothing was charged and the plan is unchanged.</SuccessNotice>}
      <ErrorNotice message={describeError(billing.error ?? usage.error)} />
      {!b && !billing.error && <Loading what="usage" />}
      {b && (
        <>
          {b.paymentRequired && (
            <ErrorNotice message="A payment failed, so generation is paused. Open the billing portal below and update your payment method." />
          )}
          <div className="stats" role="group" aria-label="This billing period">
            <div className="stat">
              Plan<strong>{b.plan.name}</strong>
            </div>
            <div className="stat" data-testid="credits-left">
              Credits left<strong>{b.creditsLeft ?? 'No limit'}</strong>
            </div>
            <div className="stat" data-testid="credits-used">
              Credits used<strong>{b.creditsUsed}</strong>
            </div>
            <div className="stat">
              Held by running jobs<strong>{b.creditsReserved}</strong>
            </div>
          </div>
          <p className="muted">
            Period {new Date(b.periodStart).toLocaleDateString()} – {new Date(b.periodEnd).toLocaleDateString()}. {b.plan.includedCredits}{' '}
            credits included
            {b.plan.overageAllowed ? `, then ${money(b.plan.overageCentsPerCredit)} a credit` : '; generation stops at the limit'}.
          </p>
        </>
      )}
      {usage.data && (
        <section className="panel" aria-labelledby="usage-heading">
          <h2 id="usage-heading">Credits by day</h2>
          <UsageChart byDay={usage.data.usage.byDay} from={usage.data.usage.from} to={usage.data.usage.to} />
          <TableRegion label="Credits by meter">
            <table>
              <caption>By meter ({usage.data.usage.totalCredits} credits)</caption>
              <thead>
                <tr>
                  <th scope="col">Meter</th>
                  <th scope="col">Quantity</th>
                  <th scope="col">Credits</th>
                </tr>
              </thead>
              <tbody>
                {usage.data.usage.byMeter.length === 0 && (
                  <tr>
                    <td colSpan={3}>No usage yet this period. Generate copy or images in a campaign and it shows here.</td>
                  </tr>
                )}
                {usage.data.usage.byMeter.map((m) => (
                  <tr key={m.meter}>
                    <td>{METER_LABELS[m.meter]}</td>
                    <td>{m.quantity}</td>
                    <td>{m.credits}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        </section>
      )}
      {b && billing.data && <Plans current={b.plan.id} plans={billing.data.plans} canManage={isAdmin} />}
      {b && isAdmin && <SpendCap current={b.spendCapCents} overageAllowed={b.plan.overageAllowed} />}
      {isAdmin && <Invoices />}
    </section>
  );
}

function Plans({
  current,
  plans,
  canManage,
}: {
  current: PlanId;
  plans: Array<{ id: PlanId; name: string; includedCredits: number; monthlyFeeCents: number; seats: number }>;
  canManage: boolean;
}) {
  const [checkout, startCheckout] = useMutation(CreateCheckoutSessionDocument);
  const [portal, openPortal] = useMutation(CreateBillingPortalSessionDocument);
  const go = async (promise: Promise<{ data?: { url: string } | undefined }>) => {
    const result = await promise;
    if (result.data) location.assign(result.data.url);
  };
  return (
    <section className="panel" aria-labelledby="plans-heading">
      <h2 id="plans-heading">Plan</h2>
      <ul className="cards" aria-label="Plans">
        {plans.map((p) => (
          <li key={p.id} className="card" aria-current={p.id === current ? 'true' : undefined}>
            <h3>
              {p.name} {p.id === current && <span className="badge pass">Current</span>}
            </h3>
            <p>
              {money(p.monthlyFeeCents)} a month · {p.includedCredits} credits · {p.seats} seats
            </p>
            {canManage && p.id !== current && p.id !== 'FREE' && (
              <button
                type="button"
                disabled={checkout.fetching}
                onClick={() => go(startCheckout({ plan: p.id }).then((r) => ({ data: r.data?.createCheckoutSession })))}
              >
                Upgrade to {p.name}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canManage && (
        <button
          type="button"
          className="secondary"
          disabled={portal.fetching}
          onClick={() => go(openPortal({}).then((r) => ({ data: r.data?.createBillingPortalSession })))}
        >
          Manage payment and subscription (Stripe portal)
        </button>
      )}
      {!canManage && <p className="muted">Only owners and admins can change the plan.</p>}
      <ErrorNotice message={describeError(checkout.error ?? portal.error)} />
    </section>
  );
}

function SpendCap({ current, overageAllowed }: { current: number | null; overageAllowed: boolean }) {
  const [{ fetching, error }, setSpendCap] = useMutation(SetSpendCapDocument);
  const [value, setValue] = useState(current === null ? '' : String(current / 100));
  const [saved, setSaved] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cents = value.trim() === '' ? null : Math.round(Number(value) * 100);
    const result = await setSpendCap({ spendCapCents: cents });
    setSaved(!!result.data);
  };
  return (
    <section className="panel" aria-labelledby="cap-heading">
      <h2 id="cap-heading">Spend cap</h2>
      {!overageAllowed && <p className="muted">Your plan stops at its included credits, so there is no overage to cap.</p>}
      <form onSubmit={submit} className="inline-form" aria-label="Spend cap">
        <TextField
          label="Most overage spend a period (USD)"
          type="number"
          min={0}
          step={1}
          value={value}
          onChange={(e) => (setValue(e.target.value), setSaved(false))}
          hint="Empty: no cap. Generation is refused once the cap would be passed."
        />
        <button type="submit" disabled={fetching}>
          Save cap
        </button>
      </form>
      <ErrorNotice message={describeError(error)} />
      {saved && <SuccessNotice>Spend cap saved.</SuccessNotice>}
    </section>
  );
}

function Invoices() {
  const [{ data, error }] = useQuery({ query: InvoicesDocument });
  return (
    <section className="panel" aria-labelledby="invoices-heading">
      <h2 id="invoices-heading">Invoices</h2>
      <ErrorNotice message={describeError(error)} />
      {data && data.invoices.length === 0 && <p className="muted">No invoices yet. They appear here after your first paid period.</p>}
      {data && data.invoices.length > 0 && (
        <TableRegion label="Invoices">
          <table>
            <caption className="visually-hidden">Invoices</caption>
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Period</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
                <th scope="col">Links</th>
              </tr>
            </thead>
            <tbody>
              {data.invoices.map((i) => (
                <tr key={i.id}>
                  <td>{i.number ?? i.id}</td>
                  <td>
                    {new Date(i.periodStart).toLocaleDateString()} – {new Date(i.periodEnd).toLocaleDateString()}
                  </td>
                  <td>{money(i.amountDueCents, i.currency)}</td>
                  <td>{i.status ?? '—'}</td>
                  <td>
                    {i.hostedInvoiceUrl && (
                      <a href={i.hostedInvoiceUrl} target="_blank" rel="noreferrer">
                        View
                      </a>
                    )}{' '}
                    {i.invoicePdfUrl && (
                      <a href={i.invoicePdfUrl} target="_blank" rel="noreferrer">
                        PDF
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
