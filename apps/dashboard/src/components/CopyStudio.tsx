import type { CampaignFieldsFragment } from '../graphql/generated';

/** Copy generation per channel: filled in when the generation API lands. */
export function CopyStudio(_props: { campaign: CampaignFieldsFragment }) {
  return null;
}
