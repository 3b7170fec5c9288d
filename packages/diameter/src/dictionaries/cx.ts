/**
 * The Cx/Dx application (3GPP TS 29.229): Application-Id 16777216, Vendor-Id 10415 (3GPP).
 * Commands of §6.1 (UAR/UAA 300, SAR/SAA 301, LIR/LIA 302, MAR/MAA 303, RTR/RTA 304, PPR/PPA 305)
 * and AVPs of §6.3 (table 6.3.1), written from the spec; plus the IETF and ETSI AVPs its grammars
 * name: DRMP (RFC 7944), the DOIC and load AVPs (RFC 7683, RFC 8583), Framed-IP-Address,
 * Framed-IPv6-Prefix and Framed-Interface-Id (RFC 7155), the Digest AVPs of SIP-Digest-Authenticate
 * (RFC 4740, RFC 5090) and Line-Identifier (ETSI TS 183 033).
 *
 * M bit: set on AVPs 600–634, clear from SIP-Digest-Authenticate (635) on, as table 6.3.1 has it.
 * Wireshark's TGPP.xml marks some of the later ones M "must": receivers accept both (the decoder
 * looks at the M bit only for AVPs it does not know, and for values it cannot read).
 */
import { defineDictionary } from '../dictionary.ts'

/** 3GPP's Vendor-Id (IANA enterprise number 10415). */
export const VENDOR_3GPP = 10415
/** ETSI's Vendor-Id. */
export const VENDOR_ETSI = 13019
/** The Cx/Dx Application-Id (TS 29.229 §6). */
export const CX_APPLICATION_ID = 16777216

export const cxDictionary = defineDictionary({
  name: 'Cx/Dx (3GPP TS 29.229)',
  applicationId: CX_APPLICATION_ID,
  vendorId: VENDOR_3GPP,
  avps: {
    // --- TS 29.229 §6.3, vendor 10415
    'Visited-Network-Identifier': { code: 600, type: 'OctetString' },
    'Public-Identity': { code: 601, type: 'UTF8String' },
    'Server-Name': { code: 602, type: 'UTF8String' },
    'Server-Capabilities': {
      code: 603,
      type: 'Grouped',
      grammar: `Server-Capabilities ::= < AVP Header: 603 10415 >
        *[ Mandatory-Capability ]
        *[ Optional-Capability ]
        *[ Server-Name ]
        *[ AVP ]`,
    },
    'Mandatory-Capability': { code: 604, type: 'Unsigned32' },
    'Optional-Capability': { code: 605, type: 'Unsigned32' },
    'User-Data': { code: 606, type: 'OctetString' },
    'SIP-Number-Auth-Items': { code: 607, type: 'Unsigned32' },
    'SIP-Authentication-Scheme': { code: 608, type: 'UTF8String' },
    'SIP-Authenticate': { code: 609, type: 'OctetString' },
    'SIP-Authorization': { code: 610, type: 'OctetString' },
    'SIP-Authentication-Context': { code: 611, type: 'OctetString' },
    'SIP-Auth-Data-Item': {
      code: 612,
      type: 'Grouped',
      grammar: `SIP-Auth-Data-Item ::= < AVP Header: 612 10415 >
        [ SIP-Item-Number ]
        [ SIP-Authentication-Scheme ]
        [ SIP-Authenticate ]
        [ SIP-Authorization ]
        [ SIP-Authentication-Context ]
        [ Confidentiality-Key ]
        [ Integrity-Key ]
        [ SIP-Digest-Authenticate ]
        [ Framed-IP-Address ]
        [ Framed-IPv6-Prefix ]
        [ Framed-Interface-Id ]
       *[ Line-Identifier ]
       *[ AVP ]`,
    },
    'SIP-Item-Number': { code: 613, type: 'Unsigned32' },
    'Server-Assignment-Type': {
      code: 614,
      type: 'Enumerated',
      values: {
        NO_ASSIGNMENT: 0,
        REGISTRATION: 1,
        RE_REGISTRATION: 2,
        UNREGISTERED_USER: 3,
        TIMEOUT_DEREGISTRATION: 4,
        USER_DEREGISTRATION: 5,
        TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME: 6,
        USER_DEREGISTRATION_STORE_SERVER_NAME: 7,
        ADMINISTRATIVE_DEREGISTRATION: 8,
        AUTHENTICATION_FAILURE: 9,
        AUTHENTICATION_TIMEOUT: 10,
        DEREGISTRATION_TOO_MUCH_DATA: 11,
        AAA_USER_DATA_REQUEST: 12,
        PGW_UPDATE: 13,
        RESTORATION: 14,
      },
    },
    'Deregistration-Reason': {
      code: 615,
      type: 'Grouped',
      grammar: `Deregistration-Reason ::= < AVP Header: 615 10415 >
        { Reason-Code }
        [ Reason-Info ]
       *[ AVP ]`,
    },
    'Reason-Code': {
      code: 616,
      type: 'Enumerated',
      values: { PERMANENT_TERMINATION: 0, NEW_SERVER_ASSIGNED: 1, SERVER_CHANGE: 2, 'REMOVE_S-CSCF': 3 },
    },
    'Reason-Info': { code: 617, type: 'UTF8String' },
    'Charging-Information': {
      code: 618,
      type: 'Grouped',
      grammar: `Charging-Information ::= < AVP Header: 618 10415 >
        [ Primary-Event-Charging-Function-Name ]
        [ Secondary-Event-Charging-Function-Name ]
        [ Primary-Charging-Collection-Function-Name ]
        [ Secondary-Charging-Collection-Function-Name ]
       *[ AVP ]`,
    },
    'Primary-Event-Charging-Function-Name': { code: 619, type: 'DiameterURI' },
    'Secondary-Event-Charging-Function-Name': { code: 620, type: 'DiameterURI' },
    'Primary-Charging-Collection-Function-Name': { code: 621, type: 'DiameterURI' },
    'Secondary-Charging-Collection-Function-Name': { code: 622, type: 'DiameterURI' },
    'User-Authorization-Type': {
      code: 623,
      type: 'Enumerated',
      values: { REGISTRATION: 0, DE_REGISTRATION: 1, REGISTRATION_AND_CAPABILITIES: 2 },
    },
    'User-Data-Already-Available': {
      code: 624,
      type: 'Enumerated',
      values: { USER_DATA_NOT_AVAILABLE: 0, USER_DATA_ALREADY_AVAILABLE: 1 },
    },
    'Confidentiality-Key': { code: 625, type: 'OctetString' },
    'Integrity-Key': { code: 626, type: 'OctetString' },
    'Supported-Features': {
      code: 628,
      type: 'Grouped',
      grammar: `Supported-Features ::= < AVP Header: 628 10415 >
        { Vendor-Id }
        { Feature-List-ID }
        { Feature-List }
       *[ AVP ]`,
    },
    'Feature-List-ID': { code: 629, type: 'Unsigned32' },
    'Feature-List': { code: 630, type: 'Unsigned32' },
    'Supported-Applications': {
      code: 631,
      type: 'Grouped',
      grammar: `Supported-Applications ::= < AVP Header: 631 10415 >
       *[ Auth-Application-Id ]
       *[ Acct-Application-Id ]
       *[ Vendor-Specific-Application-Id ]
       *[ AVP ]`,
    },
    'Associated-Identities': {
      code: 632,
      type: 'Grouped',
      grammar: `Associated-Identities ::= < AVP Header: 632 10415 >
       *[ User-Name ]
       *[ AVP ]`,
    },
    'Originating-Request': { code: 633, type: 'Enumerated', values: { ORIGINATING: 0 } },
    'Wildcarded-Public-Identity': { code: 634, type: 'UTF8String' },
    'SIP-Digest-Authenticate': {
      code: 635,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `SIP-Digest-Authenticate ::= < AVP Header: 635 10415 >
        { Digest-Realm }
        [ Digest-Algorithm ]
        { Digest-QoP }
        { Digest-HA1 }
       *[ AVP ]`,
    },
    'Wildcarded-IMPU': { code: 636, type: 'UTF8String', m: 'mustnot' },
    'UAR-Flags': { code: 637, type: 'Unsigned32', m: 'mustnot' },
    'Loose-Route-Indication': {
      code: 638,
      type: 'Enumerated',
      m: 'mustnot',
      values: { LOOSE_ROUTE_NOT_REQUIRED: 0, LOOSE_ROUTE_REQUIRED: 1 },
    },
    'SCSCF-Restoration-Info': {
      code: 639,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `SCSCF-Restoration-Info ::= < AVP Header: 639 10415 >
        { User-Name }
      1*{ Restoration-Info }
        [ SIP-Authentication-Scheme ]
       *[ AVP ]`,
    },
    Path: { code: 640, type: 'OctetString', m: 'mustnot' },
    Contact: { code: 641, type: 'OctetString', m: 'mustnot' },
    'Subscription-Info': {
      code: 642,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Subscription-Info ::= < AVP Header: 642 10415 >
        { Call-ID-SIP-Header }
        { From-SIP-Header }
        { To-SIP-Header }
        { Record-Route }
        { Contact }
       *[ AVP ]`,
    },
    'Call-ID-SIP-Header': { code: 643, type: 'OctetString', m: 'mustnot' },
    'From-SIP-Header': { code: 644, type: 'OctetString', m: 'mustnot' },
    'To-SIP-Header': { code: 645, type: 'OctetString', m: 'mustnot' },
    'Record-Route': { code: 646, type: 'OctetString', m: 'mustnot' },
    'Associated-Registered-Identities': {
      code: 647,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Associated-Registered-Identities ::= < AVP Header: 647 10415 >
       *[ User-Name ]
       *[ AVP ]`,
    },
    'Multiple-Registration-Indication': {
      code: 648,
      type: 'Enumerated',
      m: 'mustnot',
      values: { NOT_MULTIPLE_REGISTRATION: 0, MULTIPLE_REGISTRATION: 1 },
    },
    'Restoration-Info': {
      code: 649,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Restoration-Info ::= < AVP Header: 649 10415 >
        { Path }
        { Contact }
        [ Initial-CSeq-Sequence-Number ]
        [ Call-ID-SIP-Header ]
        [ Subscription-Info ]
       *[ AVP ]`,
    },
    'Session-Priority': {
      code: 650,
      type: 'Enumerated',
      m: 'mustnot',
      values: { 'PRIORITY-0': 0, 'PRIORITY-1': 1, 'PRIORITY-2': 2, 'PRIORITY-3': 3, 'PRIORITY-4': 4 },
    },
    'Identity-with-Emergency-Registration': {
      code: 651,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Identity-with-Emergency-Registration ::= < AVP Header: 651 10415 >
        { User-Name }
        { Public-Identity }
       *[ AVP ]`,
    },
    'Priviledged-Sender-Indication': {
      code: 652,
      type: 'Enumerated',
      m: 'mustnot',
      values: { NOT_PRIVILEDGED_SENDER: 0, PRIVILEDGED_SENDER: 1 },
    },
    'LIA-Flags': { code: 653, type: 'Unsigned32', m: 'mustnot' },
    'Initial-CSeq-Sequence-Number': { code: 654, type: 'Unsigned32', m: 'mustnot' },
    'SAR-Flags': { code: 655, type: 'Unsigned32', m: 'mustnot' },
    'Allowed-WAF-WWSF-Identities': {
      code: 656,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Allowed-WAF-WWSF-Identities ::= < AVP Header: 656 10415 >
       *[ WebRTC-Authentication-Function-Name ]
       *[ WebRTC-Web-Server-Function-Name ]
       *[ AVP ]`,
    },
    'WebRTC-Authentication-Function-Name': { code: 657, type: 'UTF8String', m: 'mustnot' },
    'WebRTC-Web-Server-Function-Name': { code: 658, type: 'UTF8String', m: 'mustnot' },

    // --- IETF AVPs named by the Cx grammars (vendor 0)
    /** RFC 7944 §9.1 */
    DRMP: {
      code: 301,
      vendorId: 0,
      type: 'Enumerated',
      m: 'mustnot',
      values: {
        PRIORITY_0: 0,
        PRIORITY_1: 1,
        PRIORITY_2: 2,
        PRIORITY_3: 3,
        PRIORITY_4: 4,
        PRIORITY_5: 5,
        PRIORITY_6: 6,
        PRIORITY_7: 7,
        PRIORITY_8: 8,
        PRIORITY_9: 9,
        PRIORITY_10: 10,
        PRIORITY_11: 11,
        PRIORITY_12: 12,
        PRIORITY_13: 13,
        PRIORITY_14: 14,
        PRIORITY_15: 15,
      },
    },
    /** RFC 7683 §7.1 */
    'OC-Supported-Features': {
      code: 621,
      vendorId: 0,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `OC-Supported-Features ::= < AVP Header: 621 >
        [ OC-Feature-Vector ]
      * [ AVP ]`,
    },
    'OC-Feature-Vector': { code: 622, vendorId: 0, type: 'Unsigned64', m: 'mustnot' },
    /** RFC 7683 §7.3 */
    'OC-OLR': {
      code: 623,
      vendorId: 0,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `OC-OLR ::= < AVP Header: 623 >
        < OC-Sequence-Number >
        < OC-Report-Type >
        [ OC-Reduction-Percentage ]
        [ OC-Validity-Duration ]
      * [ AVP ]`,
    },
    'OC-Sequence-Number': { code: 624, vendorId: 0, type: 'Unsigned64', m: 'mustnot' },
    'OC-Validity-Duration': { code: 625, vendorId: 0, type: 'Unsigned32', m: 'mustnot' },
    'OC-Report-Type': {
      code: 626,
      vendorId: 0,
      type: 'Enumerated',
      m: 'mustnot',
      values: { HOST_REPORT: 0, REALM_REPORT: 1 },
    },
    'OC-Reduction-Percentage': { code: 627, vendorId: 0, type: 'Unsigned32', m: 'mustnot' },
    /** RFC 8583 §7.1 */
    Load: {
      code: 650,
      vendorId: 0,
      type: 'Grouped',
      m: 'mustnot',
      grammar: `Load ::= < AVP Header: 650 >
        [ Load-Type ]
        [ Load-Value ]
        [ SourceID ]
      * [ AVP ]`,
    },
    'Load-Type': { code: 651, vendorId: 0, type: 'Enumerated', m: 'mustnot', values: { HOST: 0, PEER: 1 } },
    'Load-Value': { code: 652, vendorId: 0, type: 'Unsigned64', m: 'mustnot' },
    /** RFC 8581 §3 */
    SourceID: { code: 649, vendorId: 0, type: 'DiameterIdentity', m: 'mustnot' },
    /** RFC 7155 §4.4.10.5.1 */
    'Framed-IP-Address': { code: 8, vendorId: 0, type: 'OctetString' },
    /** RFC 7155 §4.4.10.5.2 */
    'Framed-IPv6-Prefix': { code: 97, vendorId: 0, type: 'OctetString' },
    /** RFC 7155 §4.4.10.5.3 */
    'Framed-Interface-Id': { code: 96, vendorId: 0, type: 'Unsigned64' },
    /** RFC 4740 §9.5.x, RFC 5090 */
    'Digest-Realm': { code: 104, vendorId: 0, type: 'UTF8String', m: 'may' },
    'Digest-QoP': { code: 110, vendorId: 0, type: 'UTF8String', m: 'may' },
    'Digest-Algorithm': { code: 111, vendorId: 0, type: 'UTF8String', m: 'may' },
    'Digest-HA1': { code: 121, vendorId: 0, type: 'UTF8String', m: 'may' },
    /** ETSI TS 183 033 */
    'Line-Identifier': { code: 500, vendorId: VENDOR_ETSI, type: 'OctetString', m: 'may' },
  },
  commands: {
    // §6.1.1
    UAR: `< User-Authorization-Request> ::= < Diameter Header: 300, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ Destination-Host ]
        { Destination-Realm }
        { User-Name }
        [ OC-Supported-Features ]
       *[ Supported-Features ]
        { Public-Identity }
        { Visited-Network-Identifier }
        [ User-Authorization-Type ]
        [ UAR-Flags ]
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.2
    UAA: `< User-Authorization-Answer> ::= < Diameter Header: 300, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ OC-Supported-Features ]
        [ OC-OLR ]
       *[ Load ]
       *[ Supported-Features ]
        [ Server-Name ]
        [ Server-Capabilities ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.3
    SAR: `< Server-Assignment-Request> ::= < Diameter Header: 301, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ Destination-Host ]
        { Destination-Realm }
        [ User-Name ]
        [ OC-Supported-Features ]
       *[ Supported-Features ]
       *[ Public-Identity ]
        [ Wildcarded-Public-Identity ]
        { Server-Name }
        { Server-Assignment-Type }
        { User-Data-Already-Available }
        [ SCSCF-Restoration-Info ]
        [ Multiple-Registration-Indication ]
        [ Session-Priority ]
        [ SAR-Flags ]
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.4
    SAA: `< Server-Assignment-Answer> ::= < Diameter Header: 301, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ User-Name ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
       *[ Load ]
       *[ Supported-Features ]
        [ User-Data ]
        [ Charging-Information ]
        [ Associated-Identities ]
        [ Loose-Route-Indication ]
       *[ SCSCF-Restoration-Info ]
        [ Associated-Registered-Identities ]
        [ Server-Name ]
        [ Wildcarded-Public-Identity ]
        [ Priviledged-Sender-Indication ]
        [ Allowed-WAF-WWSF-Identities ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.5
    LIR: `< Location-Info-Request> ::= < Diameter Header: 302, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ Destination-Host ]
        { Destination-Realm }
        [ Originating-Request ]
        [ OC-Supported-Features ]
       *[ Supported-Features ]
        { Public-Identity }
        [ User-Authorization-Type ]
        [ Session-Priority ]
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.6
    LIA: `< Location-Info-Answer> ::= < Diameter Header: 302, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ OC-Supported-Features ]
        [ OC-OLR ]
       *[ Load ]
       *[ Supported-Features ]
        [ Server-Name ]
        [ Server-Capabilities ]
        [ Wildcarded-Public-Identity ]
        [ LIA-Flags ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.7
    MAR: `< Multimedia-Auth-Request > ::= < Diameter Header: 303, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        { Destination-Realm }
        [ Destination-Host ]
        { User-Name }
        [ OC-Supported-Features ]
       *[ Supported-Features ]
        { Public-Identity }
        { SIP-Auth-Data-Item }
        { SIP-Number-Auth-Items }
        { Server-Name }
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.8
    MAA: `< Multimedia-Auth-Answer > ::= < Diameter Header: 303, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ User-Name ]
        [ OC-Supported-Features ]
        [ OC-OLR ]
       *[ Load ]
       *[ Supported-Features ]
        [ Public-Identity ]
        [ SIP-Number-Auth-Items ]
       *[ SIP-Auth-Data-Item ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.9
    RTR: `< Registration-Termination-Request > ::= < Diameter Header: 304, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        { Destination-Host }
        { Destination-Realm }
        { User-Name }
        [ Associated-Identities ]
       *[ Supported-Features ]
       *[ Public-Identity ]
        { Deregistration-Reason }
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.10
    RTA: `< Registration-Termination-Answer > ::= < Diameter Header: 304, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        [ Associated-Identities ]
       *[ Supported-Features ]
        [ Identity-with-Emergency-Registration ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.11
    PPR: `< Push-Profile-Request > ::= < Diameter Header: 305, REQ, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
        { Destination-Host }
        { Destination-Realm }
        { User-Name }
       *[ Supported-Features ]
        [ User-Data ]
        [ Charging-Information ]
        [ SIP-Auth-Data-Item ]
        [ Allowed-WAF-WWSF-Identities ]
       *[ AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
    // §6.1.12
    PPA: `< Push-Profile-Answer > ::= < Diameter Header: 305, PXY, 16777216 >
        < Session-Id >
        [ DRMP ]
        { Vendor-Specific-Application-Id }
        [ Result-Code ]
        [ Experimental-Result ]
        { Auth-Session-State }
        { Origin-Host }
        { Origin-Realm }
       *[ Supported-Features ]
       *[ AVP ]
        [ Failed-AVP ]
       *[ Proxy-Info ]
       *[ Route-Record ]`,
  },
})
