import { createMemoryLocationStore } from '../src/memory-store.ts'
import { runLocationStoreConformance } from './conformance.ts'

runLocationStoreConformance('memory', (options) => createMemoryLocationStore(options))
