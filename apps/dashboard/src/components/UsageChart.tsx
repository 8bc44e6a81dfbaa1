import type { Meter, UsageQuery } from '../graphql/generated';

export const METER_COLOURS: Record<Meter, string> = {
  TEXT_PROMPT_TOKENS: '#8fb3f5',
  TEXT_OUTPUT_TOKENS: '#1f5fd6',
  IMAGE_SMALL: '#f5c26b',
  IMAGE_MEDIUM: '#e08a1e',
  IMAGE_LARGE: '#9a4f00',
};

export const METER_LABELS: Record<Meter, string> = {
  TEXT_PROMPT_TOKENS: 'Prompt tokens',
  TEXT_OUTPUT_TOKENS: 'Output tokens',
  IMAGE_SMALL: 'Small images',
  IMAGE_MEDIUM: 'Medium images',
  IMAGE_LARGE: 'Large images',
};

type Day = UsageQuery['usage']['byDay'][number];

/** Every UTC day from `from` up to `to` (exclusive), YYYY-MM-DD, so quiet days show as gaps. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Math.min(new Date(to).getTime(), Date.now() + 86_400_000);
  for (
    let t = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate());
    t < end;
    t += 86_400_000
  ) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** Credits per day, stacked by meter, as an SVG bar chart with a text summary for screen readers. */
export function UsageChart({ byDay, from, to }: { byDay: Day[]; from: string; to: string }) {
  const days = daysBetween(from, to);
  const meters = Object.keys(METER_COLOURS) as Meter[];
  const perDay = new Map<string, Map<Meter, number>>();
  for (const d of byDay) {
    const m = perDay.get(d.day) ?? new Map<Meter, number>();
    m.set(d.meter, (m.get(d.meter) ?? 0) + d.credits);
    perDay.set(d.day, m);
  }
  const totals = days.map((day) => [...(perDay.get(day)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const width = 720;
  const height = 200;
  const barWidth = width / Math.max(1, days.length);
  const scale = (v: number) => (v / max) * height;
  const total = totals.reduce((a, b) => a + b, 0);
  const busiest = days[totals.indexOf(Math.max(...totals, 0))];
  const labelled = days.flatMap((day, i) => (i === 0 || i === days.length - 1 || i % 7 === 0 ? [{ day, i }] : []));

  // The bars are SVG, stretched to the width; the axis labels are HTML text beside and below it,
  // so they keep the page's font size on a phone and grow with zoom.
  return (
    <figure className="chart-figure">
      <div className="chart-plot">
        <div className="chart-y" aria-hidden="true">
          <span>{max}</span>
          <span>0</span>
        </div>
        <svg
          className="chart"
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Credits by day: ${total} in ${days.length} days${total ? `, most on ${busiest} (${Math.max(...totals)})` : ''}.`}
        >
          {days.map((day, i) => {
            let y = height;
            return (
              <g key={day} data-day={day}>
                <title>{`${day}: ${totals[i]} credits`}</title>
                {meters.map((meter) => {
                  const v = perDay.get(day)?.get(meter) ?? 0;
                  if (!v) return null;
                  const h = Math.max(1, scale(v));
                  y -= h;
                  return (
                    <rect key={meter} x={i * barWidth + 1} y={y} width={Math.max(1, barWidth - 2)} height={h} fill={METER_COLOURS[meter]} />
                  );
                })}
              </g>
            );
          })}
        </svg>
        <div className="chart-x" aria-hidden="true">
          {labelled.map(({ day, i }) => (
            <span key={day} style={{ left: `${((i + 0.5) / days.length) * 100}%` }}>
              {day.slice(5)}
            </span>
          ))}
        </div>
      </div>
      <figcaption className="legend">
        {meters.map((m) => (
          <span key={m} style={{ ['--c' as string]: METER_COLOURS[m] }}>
            {METER_LABELS[m]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
