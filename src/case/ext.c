/*
 * ext.c — Accord's attribution-case extension-definition, published as a
 * STIX object (with the Accord identity that created it) so that partners'
 * tools can read cases, evidence and endorsements: `accord generate
 * extensions` writes it, and every case write stores it first.
 */
#include "case/case.h"
#include "policy/policy.h"

#define CLEAR_REF "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"

const char *acc_case_extension_objects(void) {
  return "[{\"type\":\"identity\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-11-23T00:00:00.000Z\","
         "\"modified\":\"2026-11-23T00:00:00.000Z\","
         "\"name\":\"Accord\",\"identity_class\":\"system\","
         "\"object_marking_refs\":[\"" CLEAR_REF "\"],"
         "\"description\":\"The Accord threat-intelligence platform, "
         "publisher of Accord's STIX extensions.\"},"
         "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_EXT_CASE "\","
         "\"created_by_ref\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-12-01T00:00:00.000Z\","
         "\"modified\":\"2026-12-01T00:00:00.000Z\","
         "\"name\":\"Accord attribution case\","
         "\"description\":\"Attribution cases built jointly by partner "
         "organisations: the claim, its calibrated likelihood (ICD 203 or UK "
         "PHIA) kept apart from the analytic confidence, graded evidence "
         "(Admiralty), the UN GGE 2015 norms and EU 2019/796 criteria "
         "engaged, NIS2 sectors hit, derived caveats and endorsements.\","
         "\"schema\":\"A property extension whose member 'kind' says what it "
         "describes. kind 'attribution-case' (on a report): claim {"
         "operation_ref, actor_ref, state_ref}; likelihood {scale: icd203|"
         "phia, term, range}; analytic_confidence: low|moderate|high; norms "
         "[{norm: a..k, text}] (A/70/174 para 13); nis2_sectors [key]; "
         "eu_2019_796 {actions, targets, effect_factors} (lists of keys); "
         "measures [text]; endorsement_rule {rule: unanimity|quorum, "
         "partners [organisation names], quorum: integer}; owner_org; "
         "caveats [{kind: anonymiser|single-source|non-releasable|"
         "overstated-likelihood|unsupported-link, text, evidence_refs}]. "
         "kind 'evidence' (on a note whose object_refs are what it rests "
         "on; its TLP marking is its releasability): case_ref, reliability "
         "A-F, credibility 1-6 (Admiralty), category: tradecraft|"
         "infrastructure|malware|intent|external-reporting, supports [actor|"
         "state|activity], source, protect_source (boolean), observed "
         "(timestamp). kind 'endorsement' (on an opinion: agree = concur, "
         "disagree = dissent, neutral = abstain): case_ref, stance, org. "
         "kind 'claim-link' (on an attributed-to relationship): case_ref, "
         "link: actor|state. kind 'exhibit' (on a note in an evidence pack): "
         "exhibit, evidence_ref, reliability, credibility, category, "
         "supports, source (a name or a pseudonym).\","
         "\"version\":\"1.0.0\","
         "\"object_marking_refs\":[\"" CLEAR_REF "\"],"
         "\"extension_types\":[\"property-extension\"]}]";
}
