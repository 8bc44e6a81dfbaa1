import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Access, BrandScoped, CurrentActor } from '../common/auth/decorators';
import { type Actor, ApiKeyScope, Role } from '../common/auth/actor';
import { ConnectionOf, PageArgs } from '../common/pagination/pagination';
import { validate } from '../common/validation/validate';
import { uuid } from '../common/validation/fields';
import { BrandModel } from './brand.model';
import { CreateBrandInput, createBrandSchema, UpdateBrandInput, updateBrandSchema } from './dto/brand.inputs';
import { BrandsService } from './brands.service';

@ObjectType()
export class BrandConnection extends ConnectionOf(BrandModel, 'BrandConnection') {}

@Resolver(() => BrandModel)
export class BrandsResolver {
  constructor(private readonly service: BrandsService) {}

  @BrandScoped()
  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => BrandConnection, { description: 'Brands of the workspace, newest first.' })
  brands(@Args({ type: () => PageArgs }) page: PageArgs): Promise<BrandConnection> {
    return this.service.list(page.first, page.after);
  }

  @BrandScoped()
  @Access(Role.VIEWER, ApiKeyScope.READ)
  @Query(() => BrandModel)
  brand(@Args('id', { type: () => ID }) id: string): Promise<BrandModel> {
    return this.service.get(validate(uuid, id, 'id'));
  }

  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => BrandModel)
  createBrand(@CurrentActor() actor: Actor, @Args('input') raw: CreateBrandInput): Promise<BrandModel> {
    return this.service.create(actor, validate(createBrandSchema, raw));
  }

  @BrandScoped()
  @Access(Role.EDITOR, ApiKeyScope.MANAGE)
  @Mutation(() => BrandModel, { description: 'Changes only the fields given.' })
  updateBrand(@Args('input') raw: UpdateBrandInput): Promise<BrandModel> {
    const { id, ...fields } = validate(updateBrandSchema, raw);
    return this.service.update(id, fields);
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Mutation(() => BrandModel, { description: 'Deletes the brand and its campaigns.' })
  deleteBrand(@Args('id', { type: () => ID }) id: string): Promise<BrandModel> {
    return this.service.remove(validate(uuid, id, 'id'));
  }
}
