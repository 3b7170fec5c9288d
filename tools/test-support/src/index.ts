export { record } from './channels.ts'
export {
  CX_DATA_TYPE_XSD,
  cdpXml,
  type IcscfOptions,
  IMS_MODULES,
  type ImsCorePorts,
  icscfCfg,
  kamailioArgs,
  kamailioHead,
  kamailioImsInstalled,
  kamailioModules,
  removeCdpFifos,
  type ScscfOptions,
  scscfCfg,
  writeImsCore,
} from './kamailio-ims.ts'
export { pcap, type Segment } from './pcap.ts'
export { freePort, freePorts } from './ports.ts'
export { type ProcessGroup, processGroup, type StartOptions, stop, until } from './processes.ts'
export { commandRuns, skipUnless } from './skip.ts'
