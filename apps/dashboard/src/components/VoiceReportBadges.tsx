import type { VariantFieldsFragment } from '../graphql/generated';
import { GOOD_VOICE_SCORE, voiceCheckLabel } from '../lib/voice-labels';

/** The voice report as short badges in the product's words (never rule ids), and what the engine did. */
export function VoiceReportBadges({ report }: { report: VariantFieldsFragment['voiceReport'] }) {
  const score = Math.round(report.score);
  return (
    <div className="badges" role="group" aria-label="Voice report">
      <span className={`badge ${score >= GOOD_VOICE_SCORE ? 'pass' : 'fail'}`}>Voice {score}/100</span>
      {report.hardRulesPassed === false && <span className="badge fail">Breaks a hard rule</span>}
      {report.checks.map((check) => (
        <span key={check.rule} className={`badge ${check.passed ? 'pass' : 'fail'}`} data-hard={check.hard ?? undefined}>
          <span aria-hidden="true">{check.passed ? '✓' : '✗'} </span>
          {voiceCheckLabel(check, report)}
        </span>
      ))}
      {report.actions && report.actions.length > 0 && (
        <details className="voice-actions">
          <summary>What the engine did</summary>
          <ul>
            {report.actions.map((action, i) => (
              <li key={i}>{action.label}</li>
            ))}
          </ul>
        </details>
      )}
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
