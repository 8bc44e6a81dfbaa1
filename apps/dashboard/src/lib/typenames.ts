/**
 * urql's document cache refetches a query when a mutation returns a type the query holds; an
 * empty list holds no type, so these name what each list would contain. Module constants keep
 * the context object stable between renders (a new one each render would refetch forever).
 */
export const BRAND_LIST = { additionalTypenames: ['Brand'] };
export const CAMPAIGN_LIST = { additionalTypenames: ['Campaign'] };
export const INVITATION_LIST = { additionalTypenames: ['Invitation'] };
export const MEMBER_LIST = { additionalTypenames: ['Member'] };
export const API_KEY_LIST = { additionalTypenames: ['ApiKey'] };
