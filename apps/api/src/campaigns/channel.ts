import { registerEnumType } from '@nestjs/graphql';
import { CHANNEL_IDS, CHANNEL_SPECS, type ChannelId } from '@brandwright/generation/channels';

/**
 * Where copy runs: the generation library's channel spec table, exposed as the GraphQL enum
 * `Channel`. One table, so the API can never offer a channel the engine has no limits for.
 */
export const Channel = Object.fromEntries(CHANNEL_IDS.map((id) => [id, id])) as { readonly [K in ChannelId]: K };
export type Channel = ChannelId;

registerEnumType(Channel, {
  name: 'Channel',
  description: 'A placement with its own length limits.',
  valuesMap: Object.fromEntries(
    CHANNEL_IDS.map((id) => [id, { description: `${CHANNEL_SPECS[id].label}: at most ${CHANNEL_SPECS[id].maxChars} characters.` }]),
  ),
});
