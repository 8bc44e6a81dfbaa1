import type { VariantFieldsFragment } from '../graphql/generated';

/** The voice report as short badges; each failed check says why in its title and its text. */
export function VoiceReportBadges({ report }: { report: VariantFieldsFragment['voiceReport'] }) {
  const score = Math.round(report.score);
  return (
    <div className="badges" role="group" aria-label="Voice report">
      <span className={`badge ${score >= 70 ? 'pass' : 'fail'}`}>Voice {score}/100</span>
      <span className="badge info">Grade {report.readingGrade.toFixed(1)}</span>
      {report.bannedTermsFound.length > 0 && <span className="badge fail">Banned: {report.bannedTermsFound.join(', ')}</span>}
      {report.requiredTermsMissing.length > 0 && <span className="badge fail">Missing: {report.requiredTermsMissing.join(', ')}</span>}
      {report.checks.map((check) => (
        <span key={check.rule} className={`badge ${check.passed ? 'pass' : 'fail'}`} title={check.detail}>
          {check.passed ? '✓' : '✗'} {check.rule}
          {!check.passed && <span className="visually-hidden">: {check.detail}</span>}
        </span>
      ))}
    </div>
  );
}

/** Characters against the channel's limit; over the limit turns red and says so. */
export function CharacterCounter({ count, limit }: { count: number; limit: number | null }) {
  const over = limit !== null && count > limit;
  return (
    <>
      <span className={over ? 'counter over' : 'counter'} aria-hidden="true">
        {count}/{limit ?? '∞'}
      </span>
      <span className="visually-hidden">{`${count} of ${limit ?? 'unlimited'} characters${over ? ', over the limit' : ''}`}</span>
    </>
  );
}
