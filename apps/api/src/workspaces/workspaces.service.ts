import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AppConfig } from '../config/config';
import { TenantDb } from '../database/tenant-db';
import { type Actor, Role, roleAtLeast } from '../common/auth/actor';
import { randomToken, sha256Hex } from '../common/auth/secrets';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../common/errors/app-error';
import { UserEntity } from '../users/user.entity';
import { InvitationEntity } from './invitation.entity';
import { MembershipEntity } from './membership.entity';
import { WorkspaceEntity } from './workspace.entity';

export interface WorkspaceWithRole {
  workspace: WorkspaceEntity;
  role: Role | null;
}

@Injectable()
export class WorkspacesService {
  private readonly logger = new Logger(WorkspacesService.name);

  constructor(
    private readonly db: TenantDb,
    private readonly config: AppConfig,
  ) {}

  /** A new workspace with `ownerId` as its OWNER. */
  async create(ownerId: string, name: string, db?: EntityManager): Promise<WorkspaceEntity> {
    const id = randomUUID();
    const work = async (tx: EntityManager) => {
      // The workspace id is chosen first so the row-level security context can name it.
      await tx.query(`SELECT set_config('app.workspace_id', $1, true)`, [id]);
      const workspace = await tx.save(tx.create(WorkspaceEntity, { id, name, slug: slugFor(name) }));
      await tx.insert(MembershipEntity, { workspaceId: id, userId: ownerId, role: Role.OWNER });
      return workspace;
    };
    return db ? work(db) : this.db.with({ workspaceId: id, userId: ownerId }, work);
  }

  /** The member's role, read on every authenticated request: one round trip. */
  async roleOf(userId: string, workspaceId: string): Promise<Role | null> {
    if (!UUID.test(userId) || !UUID.test(workspaceId)) return null;
    const rows = await this.db.readOnce<{ role: Role }>(
      { workspaceId, userId },
      `SELECT role FROM memberships WHERE user_id = '${userId}' AND workspace_id = '${workspaceId}'`,
    );
    return rows[0]?.role ?? null;
  }

  /** The workspaces a person belongs to, oldest membership first. */
  async listForUser(userId: string): Promise<WorkspaceWithRole[]> {
    return this.db.with({ userId }, async (db) => {
      const memberships = await db.find(MembershipEntity, { where: { userId }, order: { createdAt: 'ASC' } });
      if (memberships.length === 0) return [];
      const workspaces = await db.findByIds(
        WorkspaceEntity,
        memberships.map((m) => m.workspaceId),
      );
      const byId = new Map(workspaces.map((w) => [w.id, w]));
      return memberships.filter((m) => byId.has(m.workspaceId)).map((m) => ({ workspace: byId.get(m.workspaceId)!, role: m.role }));
    });
  }

  current(): Promise<WorkspaceEntity> {
    return this.db.tx(async (db) => {
      const workspace = await db.findOne(WorkspaceEntity, { where: {} });
      if (!workspace) throw new NotFoundError('Workspace');
      return workspace;
    });
  }

  rename(name: string): Promise<WorkspaceEntity> {
    return this.db.tx(async (db) => {
      const workspace = await db.findOneOrFail(WorkspaceEntity, { where: {} });
      workspace.name = name;
      return db.save(workspace);
    });
  }

  members(): Promise<MembershipEntity[]> {
    return this.db.tx((db) => db.find(MembershipEntity, { relations: { user: true }, order: { createdAt: 'ASC' } }));
  }

  invitations(): Promise<InvitationEntity[]> {
    return this.db.tx((db) => db.find(InvitationEntity, { order: { createdAt: 'DESC' } }));
  }

  async invite(actor: Actor, email: string, role: Role): Promise<{ invitation: InvitationEntity; token: string; acceptUrl: string }> {
    const inviterRole = actor.kind === 'user' ? actor.role : Role.ADMIN;
    if (!inviterRole || !roleAtLeast(inviterRole, role)) {
      throw new ForbiddenError(`A ${inviterRole} cannot invite someone as ${role}.`);
    }
    const token = `bwi_${randomToken(40)}`;
    const invitation = await this.db.tx(async (db) => {
      const already = await db
        .createQueryBuilder(MembershipEntity, 'm')
        .innerJoin(UserEntity, 'u', 'u.id = m.user_id')
        .where('lower(u.email) = lower(:email)', { email })
        .getExists();
      if (already) throw new ConflictError(`${email} is already a member of this workspace.`, 'email');
      const row = db.create(InvitationEntity, {
        workspaceId: actor.workspaceId!,
        email,
        role,
        tokenHash: sha256Hex(token),
        invitedBy: actor.kind === 'user' ? actor.userId : null,
        expiresAt: new Date(Date.now() + this.config.values.INVITATION_TTL_SECONDS * 1000),
      });
      return db.save(row);
    });
    const acceptUrl = `${this.config.values.PUBLIC_URL}/accept-invitation?token=${encodeURIComponent(token)}`;
    // No mail transport is configured in a self-hosted default; the inviter gets the link once.
    this.logger.log(`invitation ${invitation.id} created for ${email} as ${role}`);
    return { invitation, token, acceptUrl };
  }

  revokeInvitation(id: string): Promise<InvitationEntity> {
    return this.db.tx(async (db) => {
      const invitation = await db.findOne(InvitationEntity, { where: { id } });
      if (!invitation) throw new NotFoundError('Invitation', id);
      if (invitation.acceptedAt) throw new ConflictError('The invitation was already accepted.');
      invitation.revokedAt ??= new Date();
      return db.save(invitation);
    });
  }

  /**
   * Joins the invitation's workspace as the signed-in user, whose email must match it. Someone
   * else's token is NOT_FOUND, exactly like a forged one: the answer says nothing about the
   * invitation (its email, whether it was accepted or has expired).
   */
  async acceptInvitation(userId: string, token: string): Promise<WorkspaceEntity> {
    const tokenHash = sha256Hex(token);
    const { invitation, user } = await this.db.with({ invitationTokenHash: tokenHash, userId }, async (db) => ({
      invitation: await db.findOne(InvitationEntity, { where: { tokenHash } }),
      user: await db.findOne(UserEntity, { where: { id: userId } }),
    }));
    const theirs = invitation && user && user.email.toLowerCase() === invitation.email.toLowerCase();
    if (!invitation || !theirs || invitation.revokedAt) throw new NotFoundError('Invitation');
    if (invitation.acceptedAt) throw new ConflictError('This invitation was already accepted.');
    if (invitation.expiresAt.getTime() <= Date.now()) throw new BadUserInputError('token', 'the invitation has expired; ask for a new one');
    return this.db.with({ workspaceId: invitation.workspaceId, userId }, async (db) => {
      const existing = await db.findOne(MembershipEntity, { where: { userId, workspaceId: invitation.workspaceId } });
      if (!existing) await db.insert(MembershipEntity, { userId, workspaceId: invitation.workspaceId, role: invitation.role });
      await db.update(InvitationEntity, { id: invitation.id }, { acceptedAt: new Date() });
      return db.findOneOrFail(WorkspaceEntity, { where: { id: invitation.workspaceId } });
    });
  }

  changeRole(memberId: string, role: Role): Promise<MembershipEntity> {
    return this.db.tx(async (db) => {
      const member = await this.memberOrFail(db, memberId);
      if (member.role === Role.OWNER && role !== Role.OWNER) await this.assertAnotherOwner(db);
      member.role = role;
      await db.update(MembershipEntity, { id: member.id }, { role });
      return member;
    });
  }

  removeMember(memberId: string): Promise<MembershipEntity> {
    return this.db.tx(async (db) => {
      const member = await this.memberOrFail(db, memberId);
      if (member.role === Role.OWNER) await this.assertAnotherOwner(db);
      await db.delete(MembershipEntity, { id: member.id });
      return member;
    });
  }

  private async memberOrFail(db: EntityManager, memberId: string): Promise<MembershipEntity> {
    const member = await db.findOne(MembershipEntity, { where: { id: memberId }, relations: { user: true } });
    if (!member) throw new NotFoundError('Member', memberId);
    return member;
  }

  private async assertAnotherOwner(db: EntityManager): Promise<void> {
    const owners = await db.count(MembershipEntity, { where: { role: Role.OWNER } });
    if (owners <= 1) throw new ConflictError('A workspace needs at least one OWNER; promote someone else first.');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function slugFor(name: string): string {
  const base = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${base || 'workspace'}-${randomToken(6)}`;
}
