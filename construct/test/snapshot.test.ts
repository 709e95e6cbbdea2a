import { Template } from 'aws-cdk-lib/assertions';
import { backupsStack, restoreStack } from './support/test-stack';

/** Asset hashes change with every handler build; they say nothing about the construct. */
function withoutAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>'));
}

test('synthesizes the same template', () => {
  expect(withoutAssetHashes(Template.fromStack(restoreStack({ withTopic: true }).stack).toJSON())).toMatchSnapshot();
});

test('TenantBackups (drill and topic) synthesizes the same template', () => {
  expect(withoutAssetHashes(Template.fromStack(backupsStack().stack).toJSON())).toMatchSnapshot();
});
