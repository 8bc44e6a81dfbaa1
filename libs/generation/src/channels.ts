// @brandwright/generation/channels: the channel specs alone. Imports nothing, so the dashboard can
// bundle it without pulling in the engine (onnxruntime-node, sharp).
export { CHANNEL_SPECS, CHANNEL_IDS, isChannelId, type ChannelId, type ChannelSpec } from './voice/channel-specs';
