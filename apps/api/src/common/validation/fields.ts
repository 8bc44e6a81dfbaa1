import { z } from 'zod';

/** Field rules shared by several inputs. */
export const uuid = z.string().uuid('must be an ID');
export const name = (max = 120) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);
export const email = z.string().trim().toLowerCase().email('must be an email address').max(254);
export const password = z.string().min(10, 'must be at least 10 characters').max(200, 'must be at most 200 characters');
export const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1A2B3C');
