/*
 * ext.c — Accord's confidence-building extension-definition, published as
 * a STIX object (with the Accord identity that created it) so that
 * partners' tools can read points of contact and consultations: `accord
 * generate extensions` writes it, and every point-of-contact or
 * consultation write stores it first.
 */
#include "cbm/cbm.h"
#include "policy/policy.h"

#define CLEAR_REF "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"

const char *acc_cbm_extension_objects(void) {
  return "[{\"type\":\"identity\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-11-23T00:00:00.000Z\","
         "\"modified\":\"2026-11-23T00:00:00.000Z\","
         "\"name\":\"Accord\",\"identity_class\":\"system\","
         "\"object_marking_refs\":[\"" CLEAR_REF "\"],"
         "\"description\":\"The Accord threat-intelligence platform, "
         "publisher of Accord's STIX extensions.\"},"
         "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_EXT_CBM "\","
         "\"created_by_ref\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-12-08T00:00:00.000Z\","
         "\"modified\":\"2026-12-08T00:00:00.000Z\","
         "\"name\":\"Accord confidence-building\","
         "\"description\":\"Confidence-building measures between states "
         "(OSCE ICT CBMs 3, 8 and 13): a directory of national points of "
         "contact, and consultations between states about incidents, with "
         "deadlines for acknowledgement and answer, every message signed "
         "by the sending organisation (Ed25519).\","
         "\"schema\":\"A property extension whose member 'kind' says what it "
         "describes. kind 'point-of-contact' (on an identity whose name is "
         "the contact, a person or a desk): org (the organisation or state "
         "it is a contact of), level: policy|technical, role, channels "
         "[{type: email|phone|fax|messaging|taxii|url|other, value}], "
         "languages [ISO 639-1 codes], hours ('24/7' or the hours in "
         "words), always_available (boolean), country (ISO 3166-1 "
         "alpha-2), public_key ('ed25519:' + base64 of the 32-byte "
         "Ed25519 public key the organisation signs consultations with), "
         "confirmed (timestamp: when the entry was last confirmed "
         "correct). kind 'consultation-message' (on a note marked "
         "TLP:AMBER+STRICT whose Accord sharing extension names exactly "
         "the two parties and the observers as recipient_orgs): action: "
         "open|acknowledge|reply|close, consultation_ref (the opening "
         "note; absent on the opening), from_org, from_user, in_reply_to; "
         "on the opening also to_org, to_poc_ref, observers [organisation "
         "names], consultation_kind: clarification|assistance-request|"
         "activity-notification|vulnerability-notification, urgency: "
         "routine|priority|urgent|critical, subject, ack_due and "
         "answer_due (timestamps), refs [{ref, type, tlp}] (the objects it "
         "is about, with the TLP the sender saw). Every such object "
         "carries signature {alg: 'ed25519', key_id (16 hex digits of the "
         "SHA-256 of the key), public_key, value (base64)} over the bytes "
         "'accord-cbm-v1' + LF + the RFC 8785 canonical JSON of the object "
         "without the signature member.\","
         "\"version\":\"1.0.0\","
         "\"object_marking_refs\":[\"" CLEAR_REF "\"],"
         "\"extension_types\":[\"property-extension\"]}]";
}
