// One command runs every suite: the unit specs next to the code (libs/, src/) and the e2e
// suites in test/. Each project starts its own private redis-server through the shared harness.
const unit = {
  displayName: 'unit',
  rootDir: '.',
  roots: ['<rootDir>/libs/', '<rootDir>/src/'],
  testRegex: '.*\\.spec\\.ts$',
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  testEnvironment: 'node',
  moduleNameMapper: { '^@app/wechat(|/.*)$': '<rootDir>/libs/wechat/src$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  testTimeout: 30000,
  projects: [unit, '<rootDir>/test/jest-e2e.json'],
};
