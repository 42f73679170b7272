// axe-core with the WCAG 2 A and AA rules finds no serious or critical
// violation on any page, in either language, for guests, residents and
// admins, including pages that show form errors.
import { test, expect, admin, newResident, register, login, seriousViolations } from './fixtures.js';

async function check(page, path) {
  const response = await page.goto(path);
  expect(response.status(), path).toBeLessThan(500);
  expect(await seriousViolations(page), path).toEqual([]);
}

test('public pages', async ({ page }) => {
  await check(page, '/');
  await page.screenshot({ path: test.info().outputPath('home.png'), fullPage: true });
  for (const path of ['/register', '/login', '/no-such-page']) {
    await check(page, path);
  }
});

test('public pages in English', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'English' }).click();
  for (const path of ['/', '/register', '/login']) {
    await check(page, path);
  }
});

test('a form with errors', async ({ page }) => {
  await page.goto('/register');
  await page.getByRole('button', { name: 'Đăng ký' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('register-errors.png'), fullPage: true });
});

test('pages of a resident', async ({ page }) => {
  await register(page, newResident());
  for (const path of ['/', '/me', '/admin/users']) {
    await check(page, path);
  }
});

test('admin pages', async ({ page }) => {
  await login(page, admin.email(), admin.password());
  await expect(page).toHaveURL('/');
  await check(page, '/me');
  await check(page, '/admin/users');
  await check(page, '/admin/agencies');
  await page.getByRole('link', { name: 'Sở Xây dựng' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sở Xây dựng');
  expect(await seriousViolations(page)).toEqual([]);
  await page.screenshot({ path: test.info().outputPath('agency.png'), fullPage: true });
});
