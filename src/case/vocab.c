/*
 * vocab.c — the reference lists a case is built from (docs/PRODUCT.md,
 * "Reference lists"): the UN GGE 2015 norms, the NIS2 sectors, the EU
 * cyber-sanctions criteria, the ICD 203 and UK PHIA likelihood scales with
 * their STIX confidence (STIX 2.1 Appendix A), the Admiralty grading,
 * evidence categories, analytic confidence, and endorsement stances.
 */
#include <string.h>

#include "case/case.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A/70/174 §13, welcomed by UNGA resolution 70/237 (paraphrased). */
static const acc_vocab norms[] = {
    {"a", "13(a) cooperation for stability and security",
     "Cooperate to keep the use of ICTs stable and secure and to prevent "
     "harmful ICT practices."},
    {"b", "13(b) weigh all information in an incident",
     "In case of ICT incidents, consider all relevant information, including "
     "the larger context, the challenges of attribution, and the nature and "
     "extent of the consequences."},
    {"c", "13(c) territory not used for wrongful acts",
     "Do not knowingly allow your territory to be used for internationally "
     "wrongful acts using ICTs."},
    {"d", "13(d) cooperation against criminal and terrorist use",
     "Cooperate to exchange information, assist each other, and prosecute "
     "terrorist and criminal use of ICTs."},
    {"e", "13(e) human rights online",
     "Respect human rights online, including the right to privacy and "
     "freedom of expression."},
    {"f", "13(f) no damage to critical infrastructure",
     "Do not conduct or knowingly support ICT activity that intentionally "
     "damages critical infrastructure or otherwise impairs its use and "
     "operation to provide services to the public."},
    {"g", "13(g) protection of critical infrastructure",
     "Take appropriate measures to protect your own critical "
     "infrastructure from ICT threats."},
    {"h", "13(h) respond to requests for assistance",
     "Respond to appropriate requests for assistance by another state whose "
     "critical infrastructure is subject to malicious ICT acts, including "
     "acts emanating from your territory."},
    {"i", "13(i) supply-chain integrity",
     "Ensure the integrity of the supply chain and prevent the proliferation "
     "of malicious ICT tools and techniques and the use of harmful hidden "
     "functions."},
    {"j", "13(j) responsible vulnerability reporting",
     "Encourage responsible reporting of ICT vulnerabilities and share "
     "associated information on available remedies."},
    {"k", "13(k) no harm to emergency response teams",
     "Do not conduct or knowingly support activity to harm the information "
     "systems of another state's authorized emergency response teams, and "
     "do not use such teams to engage in malicious international activity."},
};

/* Directive (EU) 2022/2555; text holds the annex. */
static const acc_vocab nis2[] = {
    {"energy", "Energy", "I"},
    {"transport", "Transport", "I"},
    {"banking", "Banking", "I"},
    {"financial-market-infrastructures", "Financial market infrastructures",
     "I"},
    {"health", "Health", "I"},
    {"drinking-water", "Drinking water", "I"},
    {"waste-water", "Waste water", "I"},
    {"digital-infrastructure", "Digital infrastructure", "I"},
    {"ict-service-management", "ICT service management (business-to-business)",
     "I"},
    {"public-administration", "Public administration", "I"},
    {"space", "Space", "I"},
    {"postal-and-courier", "Postal and courier services", "II"},
    {"waste-management", "Waste management", "II"},
    {"chemicals", "Manufacture, production and distribution of chemicals",
     "II"},
    {"food", "Production, processing and distribution of food", "II"},
    {"manufacturing", "Manufacturing", "II"},
    {"digital-providers", "Digital providers", "II"},
    {"research", "Research", "II"},
};

/* Council Regulation (EU) 2019/796, Art. 1(3) and Art. 3. */
static const acc_vocab eu_actions[] = {
    {"access-to-information-systems", "access to information systems",
     "Access to information systems, without right."},
    {"system-interference", "information system interference",
     "Information system interference, without right."},
    {"data-interference", "data interference",
     "Data interference, without right."},
    {"data-interception", "data interception",
     "Data interception, without right."},
};

static const acc_vocab eu_targets[] = {
    {"critical-infrastructure", "critical infrastructure",
     "Critical infrastructure, including submarine cables and objects "
     "launched into outer space, essential for the maintenance of vital "
     "functions of society."},
    {"essential-services",
     "services necessary for essential social or "
     "economic activities",
     "Services necessary for the maintenance of essential social and/or "
     "economic activities."},
    {"critical-state-functions", "critical state functions",
     "Critical state functions, including defence, the governance and "
     "functioning of institutions, including for public elections or the "
     "voting process."},
    {"classified-information",
     "storage or processing of classified "
     "information",
     "The storage or processing of classified information."},
    {"government-emergency-response-teams",
     "government emergency response "
     "teams",
     "Government emergency response teams."},
};

static const acc_vocab eu_effects[] = {
    {"scope-scale-impact-severity", "scope, scale, impact or severity",
     "The scope, scale, impact or severity of disruption caused."},
    {"persons-affected", "number of persons or entities affected",
     "The number of natural or legal persons, entities or Member States "
     "affected."},
    {"member-states-concerned", "number of Member States concerned",
     "The number of Member States concerned."},
    {"economic-loss", "economic loss", "The amount of economic loss caused."},
    {"economic-benefit", "economic benefit to the perpetrator",
     "The economic benefit gained by the perpetrator, for himself or for "
     "others."},
    {"data-stolen", "amount or nature of data stolen",
     "The amount or nature of data stolen or the scale of data breaches."},
    {"commercially-sensitive-data", "commercially sensitive data accessed",
     "The nature of commercially sensitive data accessed."},
};

static const acc_vocab categories[] = {
    {"tradecraft", "tradecraft", "Tactics, techniques and procedures."},
    {"infrastructure", "infrastructure",
     "Servers, domains and addresses used."},
    {"malware", "malware", "Code and tools, their lineage and build traces."},
    {"intent", "intent", "Targeting, timing and interest of the operation."},
    {"external-reporting", "external reporting",
     "Published or partner reporting."},
};

static const acc_vocab confidence[] = {
    {"low", "low confidence", NULL},
    {"moderate", "moderate confidence", NULL},
    {"high", "high confidence", NULL},
};

static const acc_vocab reliability[] = {
    {"A", "completely reliable", NULL}, {"B", "usually reliable", NULL},
    {"C", "fairly reliable", NULL},     {"D", "not usually reliable", NULL},
    {"E", "unreliable", NULL},          {"F", "cannot be judged", NULL},
};

static const acc_vocab credibility[] = {
    {"1", "confirmed by other sources", NULL},
    {"2", "probably true", NULL},
    {"3", "possibly true", NULL},
    {"4", "doubtful", NULL},
    {"5", "improbable", NULL},
    {"6", "cannot be judged", NULL},
};

static const acc_vocab stances[] = {
    {"concur", "concurs", "agree"},
    {"dissent", "dissents", "disagree"},
    {"abstain", "abstains", "neutral"},
};

static const struct {
  const acc_vocab *v;
  size_t n;
  const char *name;
} lists[ACC_VOCAB_COUNT] = {
    [ACC_VOCAB_NORM] = {norms, N(norms), "norms"},
    [ACC_VOCAB_NIS2] = {nis2, N(nis2), "nis2_sectors"},
    [ACC_VOCAB_EU_ACTION] = {eu_actions, N(eu_actions), "eu_actions"},
    [ACC_VOCAB_EU_TARGET] = {eu_targets, N(eu_targets), "eu_targets"},
    [ACC_VOCAB_EU_EFFECT] = {eu_effects, N(eu_effects), "eu_effects"},
    [ACC_VOCAB_CATEGORY] = {categories, N(categories), "categories"},
    [ACC_VOCAB_CONFIDENCE] = {confidence, N(confidence), "confidence"},
    [ACC_VOCAB_RELIABILITY] = {reliability, N(reliability), "reliability"},
    [ACC_VOCAB_CREDIBILITY] = {credibility, N(credibility), "credibility"},
    [ACC_VOCAB_STANCE] = {stances, N(stances), "stances"},
};

const acc_vocab *acc_case_vocab(acc_vocab_list l, size_t *n) {
  if ((unsigned)l >= ACC_VOCAB_COUNT) {
    *n = 0;
    return NULL;
  }
  *n = lists[l].n;
  return lists[l].v;
}

const char *acc_case_vocab_name(acc_vocab_list l) {
  return (unsigned)l < ACC_VOCAB_COUNT ? lists[l].name : "";
}

const acc_vocab *acc_case_vocab_find(acc_vocab_list l, const char *key) {
  size_t n;
  const acc_vocab *v = acc_case_vocab(l, &n);
  for (size_t i = 0; key && i < n; i++)
    if (strcmp(v[i].key, key) == 0)
      return &v[i];
  return NULL;
}

/* STIX confidence per rank: the DNI (ICD 203) row of Appendix A.  The PHIA
 * terms take the row whose range holds the middle of their own range
 * (realistic possibility, 40-<50%, falls in "roughly even", 40-59). */
static const acc_likelihood likelihoods[] = {
    {"icd203", "almost-no-chance", "almost no chance", "1-5%", 1, 5},
    {"icd203", "very-unlikely", "very unlikely", "5-20%", 2, 15},
    {"icd203", "unlikely", "unlikely", "20-45%", 3, 30},
    {"icd203", "roughly-even-chance", "roughly even chance", "45-55%", 4, 50},
    {"icd203", "likely", "likely", "55-80%", 5, 70},
    {"icd203", "very-likely", "very likely", "80-95%", 6, 85},
    {"icd203", "almost-certain", "almost certain", "95-99%", 7, 95},
    {"phia", "remote-chance", "remote chance", "0-5%", 1, 5},
    {"phia", "highly-unlikely", "highly unlikely", "10-20%", 2, 15},
    {"phia", "unlikely", "unlikely", "25-35%", 3, 30},
    {"phia", "realistic-possibility", "realistic possibility", "40-<50%", 4,
     50},
    {"phia", "likely", "likely or probably", "55-75%", 5, 70},
    {"phia", "highly-likely", "highly likely", "80-90%", 6, 85},
    {"phia", "almost-certain", "almost certain", "95-<100%", 7, 95},
};

const acc_likelihood *acc_case_likelihoods(size_t *n) {
  *n = N(likelihoods);
  return likelihoods;
}

const acc_likelihood *acc_case_likelihood_find(const char *scale,
                                               const char *key) {
  if (!key)
    return NULL;
  for (size_t i = 0; i < N(likelihoods); i++)
    if ((!scale || strcmp(scale, likelihoods[i].scale) == 0) &&
        strcmp(key, likelihoods[i].key) == 0)
      return &likelihoods[i];
  return NULL;
}

const acc_likelihood *acc_case_likelihood_rank(int rank) {
  if (rank < 1 || rank > 7)
    return NULL;
  return &likelihoods[rank - 1];
}

int acc_case_credibility_stix(int c) {
  static const int v[] = {90, 70, 50, 30, 10};
  return c >= 1 && c <= 5 ? v[c - 1] : -1;
}

const char *acc_case_stance_opinion(const char *stance) {
  const acc_vocab *v = acc_case_vocab_find(ACC_VOCAB_STANCE, stance);
  return v ? v->text : NULL;
}

const char *acc_case_opinion_stance(const char *op) {
  if (!op)
    return NULL;
  if (!strcmp(op, "agree") || !strcmp(op, "strongly-agree"))
    return "concur";
  if (!strcmp(op, "disagree") || !strcmp(op, "strongly-disagree"))
    return "dissent";
  if (!strcmp(op, "neutral"))
    return "abstain";
  return NULL;
}
