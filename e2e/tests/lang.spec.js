import { test, expect } from './fixtures.js';

test('the language switch goes from Vietnamese to English and back', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng nhập');
  await expect(page.getByRole('navigation', { name: 'Điều hướng chính' })).toContainText('Trang chủ');

  await page.getByRole('button', { name: 'English' }).click();
  await expect(page).toHaveURL('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log in');
  await expect(page.getByRole('navigation', { name: 'Main navigation' })).toContainText('Home');
  await expect(page.getByText('Citizen engagement hub').first()).toBeVisible();

  // The choice is remembered on other pages.
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome to the citizen engagement hub');

  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Chào mừng đến với Cổng tham gia ý kiến');
});

test('agency names follow the language', async ({ page }) => {
  await page.goto('/');
  const agencies = page.getByRole('region', { name: 'Các cơ quan tham gia' });
  await expect(agencies).toContainText('Sở Xây dựng');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('region', { name: 'Participating agencies' })).toContainText('Department of Construction');
});
