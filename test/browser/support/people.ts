import type { Page } from 'playwright-core';

export interface Person {
  email: string;
  password: string;
  name: string;
}

/** A person with an address of their own in this run (the test databases are shared by nobody, the emails by no test). */
export function newPerson(name: string, password = 'correct horse battery'): Person {
  const handle = name.split(' ')[0].toLowerCase();
  return { name, password, email: `${handle}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com` };
}

/** Fills the sign-up form the page is on (or reaches it from the log-in page) and waits for the page it leads to. */
export async function fillSignUp(page: Page, who: Person, workspace: string): Promise<void> {
  await page.getByLabel('Your name').fill(who.name);
  await page.getByLabel('Work email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Workspace name').fill(workspace);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

/** Signs up from the front door and waits for the brand list. */
export async function signUp(page: Page, who: Person, workspace: string): Promise<void> {
  await page.goto('/');
  await page.waitForURL(/\/login/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await fillSignUp(page, who, workspace);
  await page.getByRole('heading', { name: 'Brands', level: 1 }).waitFor();
}

/** Creates a brand from the empty brand list and waits for its editor. Returns its id. */
export async function createFirstBrand(page: Page, name: string, description: string): Promise<string> {
  await page.getByLabel('Brand name').fill(name);
  await page.getByLabel('What the brand does').fill(description);
  await page.getByRole('button', { name: 'Create brand' }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return page.url().split('/').pop()!;
}

/** Goes to a page through the main navigation, as a person would. */
export async function openFromNav(page: Page, link: string, heading = link): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}
