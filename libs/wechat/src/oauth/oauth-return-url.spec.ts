import { safeReturnTo } from './oauth-return-url';

describe('safeReturnTo (no open redirect)', () => {
  const allowed = ['https://m.shop.example'];

  it.each([
    ['/orders?id=1#top', '/orders?id=1#top'],
    ['/', '/'],
    ['/活动/页', '/活动/页'],
    ['https://m.shop.example/cart?x=1', 'https://m.shop.example/cart?x=1'],
  ])('keeps %p', (value, expected) => {
    expect(safeReturnTo(value, allowed)).toBe(expected);
  });

  it.each([
    'https://evil.example',
    'https://evil.example/orders',
    '//evil.example',
    '//evil.example/orders',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
    'http://m.shop.example/cart', // another scheme, another origin
    'https://m.shop.example.evil.example/',
    'orders',
    '',
    undefined,
    42,
  ])('replaces %p by /', (value) => {
    expect(safeReturnTo(value, allowed)).toBe('/');
  });
});
