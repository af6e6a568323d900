// Providers: one per connection of a config (createProvider), and what a provider of your own
// implements (StorageProvider; its list() is pagedList(this), see docs/library.md).
export { createProvider } from '../providers/registry';
export { pagedList } from '../providers/listing';
export { isStorageError, PartialRemoveError, SourceChangedError, StorageError, type StorageErrorCode } from '../providers/errors';
export type {
  Checksums,
  ListLevel,
  ListPage,
  ObjectInfo,
  ObjectMetadata,
  OpenSource,
  ProviderCapabilities,
  SkippedEntry,
  StorageProvider,
  UploadJournal,
  WriteOptions,
  WriteResult,
} from '../providers/provider';
