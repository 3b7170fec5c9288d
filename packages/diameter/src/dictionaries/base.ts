/**
 * The base protocol (RFC 6733): the AVPs of §4.5 and the common messages CER/CEA (§5.3),
 * DWR/DWA (§5.5), DPR/DPA (§5.4), Application-Id 0, plus the answer-message format of §7.2.
 * Written from the RFC. Data types §4.2–§4.4; M bit per the "AVP Flag rules" of §4.5 (Error-Message,
 * Error-Reporting-Host, Firmware-Revision and Product-Name have it clear).
 */
import { defineDictionary } from '../dictionary.ts'

export const baseDictionary = defineDictionary({
  name: 'base (RFC 6733)',
  applicationId: 0,
  avps: {
    'Acct-Interim-Interval': { code: 85, type: 'Unsigned32' },
    'Accounting-Realtime-Required': {
      code: 483,
      type: 'Enumerated',
      values: { DELIVER_AND_GRANT: 1, GRANT_AND_STORE: 2, GRANT_AND_LOSE: 3 },
    },
    'Acct-Multi-Session-Id': { code: 50, type: 'UTF8String' },
    'Accounting-Record-Number': { code: 485, type: 'Unsigned32' },
    'Accounting-Record-Type': {
      code: 480,
      type: 'Enumerated',
      values: { EVENT_RECORD: 1, START_RECORD: 2, INTERIM_RECORD: 3, STOP_RECORD: 4 },
    },
    'Acct-Session-Id': { code: 44, type: 'OctetString' },
    'Accounting-Sub-Session-Id': { code: 287, type: 'Unsigned64' },
    'Acct-Application-Id': { code: 259, type: 'Unsigned32' },
    'Auth-Application-Id': { code: 258, type: 'Unsigned32' },
    'Auth-Request-Type': {
      code: 274,
      type: 'Enumerated',
      values: { AUTHENTICATE_ONLY: 1, AUTHORIZE_ONLY: 2, AUTHORIZE_AUTHENTICATE: 3 },
    },
    'Authorization-Lifetime': { code: 291, type: 'Unsigned32' },
    'Auth-Grace-Period': { code: 276, type: 'Unsigned32' },
    'Auth-Session-State': {
      code: 277,
      type: 'Enumerated',
      values: { STATE_MAINTAINED: 0, NO_STATE_MAINTAINED: 1 },
    },
    'Re-Auth-Request-Type': {
      code: 285,
      type: 'Enumerated',
      values: { AUTHORIZE_ONLY: 0, AUTHORIZE_AUTHENTICATE: 1 },
    },
    Class: { code: 25, type: 'OctetString' },
    'Destination-Host': { code: 293, type: 'DiameterIdentity' },
    'Destination-Realm': { code: 283, type: 'DiameterIdentity' },
    'Disconnect-Cause': {
      code: 273,
      type: 'Enumerated',
      values: { REBOOTING: 0, BUSY: 1, DO_NOT_WANT_TO_TALK_TO_YOU: 2 },
    },
    'Error-Message': { code: 281, type: 'UTF8String', m: 'mustnot' },
    'Error-Reporting-Host': { code: 294, type: 'DiameterIdentity', m: 'mustnot' },
    'Event-Timestamp': { code: 55, type: 'Time' },
    'Experimental-Result': {
      code: 297,
      type: 'Grouped',
      grammar: `Experimental-Result ::= < AVP Header: 297 >
        { Vendor-Id }
        { Experimental-Result-Code }`,
    },
    'Experimental-Result-Code': { code: 298, type: 'Unsigned32' },
    'Failed-AVP': {
      code: 279,
      type: 'Grouped',
      grammar: `<Failed-AVP> ::= < AVP Header: 279 >
        1* {AVP}`,
    },
    'Firmware-Revision': { code: 267, type: 'Unsigned32', m: 'mustnot' },
    'Host-IP-Address': { code: 257, type: 'Address' },
    'Inband-Security-Id': { code: 299, type: 'Unsigned32' },
    'Multi-Round-Time-Out': { code: 272, type: 'Unsigned32' },
    'Origin-Host': { code: 264, type: 'DiameterIdentity' },
    'Origin-Realm': { code: 296, type: 'DiameterIdentity' },
    'Origin-State-Id': { code: 278, type: 'Unsigned32' },
    'Product-Name': { code: 269, type: 'UTF8String', m: 'mustnot' },
    'Proxy-Host': { code: 280, type: 'DiameterIdentity' },
    'Proxy-Info': {
      code: 284,
      type: 'Grouped',
      grammar: `Proxy-Info ::= < AVP Header: 284 >
        { Proxy-Host }
        { Proxy-State }
        * [ AVP ]`,
    },
    'Proxy-State': { code: 33, type: 'OctetString' },
    'Redirect-Host': { code: 292, type: 'DiameterURI' },
    'Redirect-Host-Usage': {
      code: 261,
      type: 'Enumerated',
      values: {
        DONT_CACHE: 0,
        ALL_SESSION: 1,
        ALL_REALM: 2,
        REALM_AND_APPLICATION: 3,
        ALL_APPLICATION: 4,
        ALL_HOST: 5,
        ALL_USER: 6,
      },
    },
    'Redirect-Max-Cache-Time': { code: 262, type: 'Unsigned32' },
    'Result-Code': { code: 268, type: 'Unsigned32' },
    'Route-Record': { code: 282, type: 'DiameterIdentity' },
    'Session-Id': { code: 263, type: 'UTF8String' },
    'Session-Timeout': { code: 27, type: 'Unsigned32' },
    'Session-Binding': { code: 270, type: 'Unsigned32' },
    'Session-Server-Failover': {
      code: 271,
      type: 'Enumerated',
      values: { REFUSE_SERVICE: 0, TRY_AGAIN: 1, ALLOW_SERVICE: 2, TRY_AGAIN_ALLOW_SERVICE: 3 },
    },
    'Supported-Vendor-Id': { code: 265, type: 'Unsigned32' },
    'Termination-Cause': {
      code: 295,
      type: 'Enumerated',
      values: {
        DIAMETER_LOGOUT: 1,
        DIAMETER_SERVICE_NOT_PROVIDED: 2,
        DIAMETER_BAD_ANSWER: 3,
        DIAMETER_ADMINISTRATIVE: 4,
        DIAMETER_LINK_BROKEN: 5,
        DIAMETER_AUTH_EXPIRED: 6,
        DIAMETER_USER_MOVED: 7,
        DIAMETER_SESSION_TIMEOUT: 8,
      },
    },
    'User-Name': { code: 1, type: 'UTF8String' },
    'Vendor-Id': { code: 266, type: 'Unsigned32' },
    'Vendor-Specific-Application-Id': {
      code: 260,
      type: 'Grouped',
      grammar: `<Vendor-Specific-Application-Id> ::= < AVP Header: 260 >
        { Vendor-Id }
        [ Auth-Application-Id ]
        [ Acct-Application-Id ]`,
    },
  },
  commands: {
    // §5.3.1
    CER: `<CER> ::= < Diameter Header: 257, REQ >
        { Origin-Host }
        { Origin-Realm }
     1* { Host-IP-Address }
        { Vendor-Id }
        { Product-Name }
        [ Origin-State-Id ]
      * [ Supported-Vendor-Id ]
      * [ Auth-Application-Id ]
      * [ Inband-Security-Id ]
      * [ Acct-Application-Id ]
      * [ Vendor-Specific-Application-Id ]
        [ Firmware-Revision ]
      * [ AVP ]`,
    // §5.3.2
    CEA: `<CEA> ::= < Diameter Header: 257 >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
     1* { Host-IP-Address }
        { Vendor-Id }
        { Product-Name }
        [ Origin-State-Id ]
        [ Error-Message ]
        [ Failed-AVP ]
      * [ Supported-Vendor-Id ]
      * [ Auth-Application-Id ]
      * [ Inband-Security-Id ]
      * [ Acct-Application-Id ]
      * [ Vendor-Specific-Application-Id ]
        [ Firmware-Revision ]
      * [ AVP ]`,
    // §5.4.1
    DPR: `<DPR> ::= < Diameter Header: 282, REQ >
        { Origin-Host }
        { Origin-Realm }
        { Disconnect-Cause }
      * [ AVP ]`,
    // §5.4.2
    DPA: `<DPA> ::= < Diameter Header: 282 >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
        [ Error-Message ]
        [ Failed-AVP ]
      * [ AVP ]`,
    // §5.5.1
    DWR: `<DWR> ::= < Diameter Header: 280, REQ >
        { Origin-Host }
        { Origin-Realm }
        [ Origin-State-Id ]
      * [ AVP ]`,
    // §5.5.2
    DWA: `<DWA> ::= < Diameter Header: 280 >
        { Result-Code }
        { Origin-Host }
        { Origin-Realm }
        [ Error-Message ]
        [ Failed-AVP ]
        [ Origin-State-Id ]
      * [ AVP ]`,
  },
  // §7.2
  errorAnswer: `<answer-message> ::= < Diameter Header: code, ERR [, PXY] >
    0*1< Session-Id >
        { Origin-Host }
        { Origin-Realm }
        { Result-Code }
        [ Origin-State-Id ]
        [ Error-Message ]
        [ Error-Reporting-Host ]
        [ Failed-AVP ]
        [ Experimental-Result ]
      * [ Proxy-Info ]
      * [ AVP ]`,
})
