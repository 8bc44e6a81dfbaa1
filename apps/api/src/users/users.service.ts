import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { hashPassword, verifyPassword } from '../auth/password';
import { ConflictError } from '../common/errors/app-error';
import { UserEntity } from './user.entity';

/** People. Users are not tenant-owned: they reach workspaces through memberships. */
@Injectable()
export class UsersService {
  constructor(private readonly dataSource: DataSource) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.dataSource.manager.findOne(UserEntity, { where: { id } });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.manager.createQueryBuilder(UserEntity, 'u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  async create(db: EntityManager, input: { email: string; name: string; password: string }): Promise<UserEntity> {
    const exists = await db.createQueryBuilder(UserEntity, 'u').where('lower(u.email) = lower(:email)', { email: input.email }).getExists();
    if (exists) throw new ConflictError('An account with this email already exists; log in instead.', 'email');
    const passwordHash = await hashPassword(input.password);
    return db.save(db.create(UserEntity, { email: input.email.trim(), name: input.name.trim(), passwordHash }));
  }

  async verifyCredentials(email: string, password: string): Promise<UserEntity | null> {
    const user = await this.dataSource.manager
      .createQueryBuilder(UserEntity, 'u')
      .addSelect('u.passwordHash')
      .where('lower(u.email) = lower(:email)', { email })
      .getOne();
    // Hash anyway when the user is unknown, so timing does not reveal which emails exist.
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
    return user && ok ? user : null;
  }
}

const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3jd8Ar0zyXqHP1mEhTDkPBvqSvs2tnlHaF5dZ4PfmSg';
