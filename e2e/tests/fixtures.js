// Shared fixtures: the server's URL as baseURL, the demo admin's and staff
// member's credentials, and helpers that act through the pages as a person would.
import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export { expect };

export const test = base.extend({
  baseURL: async ({}, use) => {
    await use(process.env.CIVICHUB_E2E_URL);
  },
});

export const admin = {
  email: () => process.env.CIVICHUB_E2E_ADMIN_EMAIL,
  password: () => process.env.CIVICHUB_E2E_ADMIN_PASSWORD,
};

// staff is the demo staff member of Sở Xây dựng (Chuyên viên Phòng Quản
// lý xây dựng), who answers questions to that agency.
export const staff = {
  email: () => process.env.CIVICHUB_E2E_STAFF_EMAIL,
  password: () => process.env.CIVICHUB_E2E_STAFF_PASSWORD,
};

let seq = 0;

// newResident returns the details of a resident no test has used.
export function newResident(name = 'Nguyễn Thị Kiểm Thử') {
  seq += 1;
  const tag = `${Date.now().toString(36)}${process.pid}${seq}`;
  return { email: `resident-${tag}@example.vn`, name, password: `mat-khau-${tag}` };
}

// register creates the account through the registration page.
export async function register(page, user) {
  await page.goto('/register');
  await page.getByLabel('Địa chỉ email').fill(user.email);
  await page.getByLabel('Họ và tên').fill(user.name);
  await page.getByLabel('Mật khẩu').fill(user.password);
  await page.getByRole('button', { name: 'Đăng ký' }).click();
  await expect(page).toHaveURL('/');
}

// login logs in through the login page.
export async function login(page, email, password) {
  await page.goto('/login');
  await page.getByLabel('Địa chỉ email').fill(email);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

// seriousViolations runs axe-core with the WCAG 2 A and AA rules and returns
// the violations of impact serious or critical.
export async function seriousViolations(page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}
