import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AssetEntity } from '../assets/asset.entity';
import { CopyVariantEntity } from '../generation/copy-variant.entity';
import { GenerationJobEntity } from '../generation/generation-job.entity';
import { WebhookDeliveryEntity } from '../webhooks/webhook-delivery.entity';
import { WebhookEndpointEntity } from '../webhooks/webhook-endpoint.entity';
import { RefreshTokenEntity } from '../auth/refresh-token.entity';
import { BrandEntity } from '../brands/brand.entity';
import { CampaignEntity } from '../campaigns/campaign.entity';
import { UserEntity } from '../users/user.entity';
import { InvitationEntity } from '../workspaces/invitation.entity';
import { MembershipEntity } from '../workspaces/membership.entity';
import { WorkspaceEntity } from '../workspaces/workspace.entity';

/** Every entity the api and worker map. Features add theirs here. */
export const entities = [
  UserEntity,
  WorkspaceEntity,
  MembershipEntity,
  InvitationEntity,
  RefreshTokenEntity,
  ApiKeyEntity,
  BrandEntity,
  CampaignEntity,
  GenerationJobEntity,
  CopyVariantEntity,
  AssetEntity,
  WebhookEndpointEntity,
  WebhookDeliveryEntity,
  AuditEventEntity,
];
