import type { CampaignFieldsFragment } from '../graphql/generated';

/** Image generation and gallery: filled in when the generation API lands. */
export function ImageStudio(_props: { campaign: CampaignFieldsFragment }) {
  return null;
}
