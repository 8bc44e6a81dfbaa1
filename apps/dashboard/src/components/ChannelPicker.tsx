import { ChannelValues, type Channel } from '../graphql/generated';
import { channelLabel, channelLimit } from '../lib/channels';

export function ChannelPicker({
  value,
  onChange,
  disabled,
}: {
  value: Channel[];
  onChange: (channels: Channel[]) => void;
  disabled?: boolean;
}) {
  const toggle = (channel: Channel, on: boolean) => onChange(on ? [...value, channel] : value.filter((c) => c !== channel));
  return (
    <fieldset className="channels" disabled={disabled}>
      <legend>Channels</legend>
      <small className="hint">Where the copy runs. Each has its own length limit.</small>
      <div className="checks">
        {ChannelValues.map((channel) => (
          <label key={channel} className="check">
            <input type="checkbox" checked={value.includes(channel)} onChange={(e) => toggle(channel, e.target.checked)} />
            {channelLabel(channel)} <span className="muted">({channelLimit(channel)} characters)</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
