import { test, expect, newResident, register, login } from './fixtures.js';

test('a resident registers, logs out and logs in again', async ({ page }) => {
  const user = newResident('Trần Văn Đăng Ký');
  await register(page, user);
  const header = page.getByRole('banner');
  await expect(header.getByRole('link', { name: user.name })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Đăng ký thành công. Chào mừng bạn!');

  await header.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page).toHaveURL('/');
  await expect(header.getByRole('link', { name: 'Đăng nhập' })).toBeVisible();
  await expect(header).not.toContainText(user.name);

  await login(page, user.email, user.password);
  await expect(page).toHaveURL('/');
  await expect(header.getByRole('link', { name: user.name })).toBeVisible();

  await header.getByRole('link', { name: user.name }).click();
  await expect(page).toHaveURL('/me');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tài khoản của tôi');
  await expect(page.getByRole('main')).toContainText(user.email);
});

test('a wrong password shows the generic error and keeps the email', async ({ page }) => {
  const user = newResident();
  await register(page, user);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();

  await page.goto('/login');
  await page.getByLabel('Địa chỉ email').fill(user.email);
  await page.getByLabel('Mật khẩu').fill('not-the-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login'),
    page.getByRole('button', { name: 'Đăng nhập' }).click(),
  ]);
  expect(response.status()).toBe(401);
  const summary = page.locator('.error-summary');
  await expect(summary).toContainText('Email hoặc mật khẩu không đúng.');
  await expect(summary).toBeFocused();
  await expect(page).toHaveTitle(/^Lỗi: /);
  await expect(page.getByLabel('Địa chỉ email')).toHaveValue(user.email);
  await expect(page.getByLabel('Mật khẩu')).toHaveValue('');

  // An unknown email gets exactly the same message.
  await page.getByLabel('Địa chỉ email').fill(`nobody-${user.email}`);
  await page.getByLabel('Mật khẩu').fill(user.password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.locator('.error-summary')).toContainText('Email hoặc mật khẩu không đúng.');
});

test('registration errors are shown next to their fields', async ({ page }) => {
  await page.goto('/register');
  await page.getByLabel('Địa chỉ email').fill('not-an-email');
  await page.getByLabel('Họ và tên').fill('Lê Thị Lỗi');
  await page.getByLabel('Mật khẩu').fill('short');
  await page.getByRole('button', { name: 'Đăng ký' }).click();

  const email = page.getByLabel('Địa chỉ email');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/Địa chỉ email không hợp lệ/);
  await expect(page.getByLabel('Mật khẩu')).toHaveAccessibleDescription(/Mật khẩu phải có ít nhất 8 ký tự/);
  await expect(page.getByLabel('Họ và tên')).toHaveValue('Lê Thị Lỗi');

  // The summary's link takes keyboard users to the field.
  await page.locator('.error-summary').getByRole('link', { name: /Địa chỉ email không hợp lệ/ }).click();
  await expect(email).toBeFocused();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('registering and logging in work', async ({ page }) => {
    const user = newResident('Phạm Không Script');
    await register(page, user);
    await expect(page.getByRole('banner')).toContainText(user.name);
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await login(page, user.email, user.password);
    await expect(page.getByRole('banner')).toContainText(user.name);
  });
});
