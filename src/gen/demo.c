/*
 * demo.c — the demo scenario: Operation COLD SWITCH, an intrusion campaign
 * by the fictional GLASS HERON group against an energy transmission
 * operator, a gas storage company and a ministry in two fictional states
 * (Valdoria, Estmark), as seen by the organisations that share about it:
 * two national CERTs, a foreign ministry, a police cybercrime unit and a
 * private security firm.  Everything is invented; addresses come from the
 * documentation ranges (RFC 5737) and domains end in .example or .test.
 *
 * The scenario is fixed; the seed varies the identifiers, addresses,
 * hashes and timestamps, so two seeds give two distinct but equally
 * plausible data sets and one seed always gives the same bytes.
 *
 * Objects are built with jansson and written compactly in insertion order,
 * each object after everything it references (later versions last).
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_int.h"
#include "stix/stix.h"
#include "util/time.h"

#define ID_LEN 80    /* longest identifier the scenario makes, with NUL */
#define MAX_ENTS 384 /* registry capacity; the scenario needs about 285 */
#define MS_US INT64_C(1000)
#define HOUR_US (INT64_C(3600) * 1000000)

/* One registered object: what later objects need to reference it. */
typedef struct ent {
  char id[ID_LEN];
  acc_gen_tlp tlp; /* the level it is marked with */
} ent;

/* Organisations, in the order they are emitted. */
enum {
  ORG_CERT_VL,  /* national CERT of Valdoria, the producer of most data */
  ORG_CERT_EM,  /* national CERT of Estmark */
  ORG_MFA,      /* Valdorian foreign ministry, cyber diplomacy division */
  ORG_POLICE,   /* Valdorian police cybercrime directorate */
  ORG_FIRM,     /* private security firm */
  ORG_GRID,     /* victim: electricity transmission operator */
  ORG_MINISTRY, /* victim: Estmark ministry of economy */
  ORG_GAS,      /* victim: gas storage company (found later) */
  ORG_DUTY,     /* an individual: the CERT-VL duty officer */
  N_ORG
};

/* The observables, as one flat list: ipv4-addr, domain-name, url, file,
 * email-addr.  The macros give the position of the i-th of each kind. */
#define N_IP 16
#define N_DOM 10
#define N_URL 6
#define N_FILE 6
#define N_MAIL 3
#define IP(i) (i)
#define DOM(i) (N_IP + (i))
#define URL(i) (N_IP + N_DOM + (i))
#define FIL(i) (N_IP + N_DOM + N_URL + (i))
#define MAIL(i) (N_IP + N_DOM + N_URL + N_FILE + (i))
#define N_SCO (N_IP + N_DOM + N_URL + N_FILE + N_MAIL)
#define N_COMPOUND 3
#define N_IND (N_SCO + N_COMPOUND)
#define N_AP 10
#define N_MW 3
#define N_TOOL 2
#define N_OD 10
#define MW_SPINDLE 0
#define MW_TALLOWDROP 1
#define MW_FROSTBITE 2

/* IPs 0-5 are C2 servers, 6-11 exploitation sources (11 turns out to be a
 * shared host and its indicator is revoked), 12-15 exfiltration targets.
 * Domains 0-3 are C2, 4-6 phishing, 7-9 payload hosting. */
#define IP_SHARED 11

typedef struct demo {
  acc_gen_out out;
  acc_gen_rng rng;
  acc_rc rc; /* first failure while building objects (sticky) */
  size_t n;  /* registry entries used; entry 0 is a placeholder */
  ent reg[MAX_ENTS];

  /* Registry positions of the named objects. */
  int org[N_ORG], ap[N_AP], mw[N_MW], tool[N_TOOL];
  int ta, is, infra, camp;
  int sco[N_SCO], ind[N_IND], od[N_OD];
  int rel_attr; /* intrusion-set attributed-to threat-actor */
  int report_pub;

  /* What the observables are, for names and patterns. */
  char val[N_SCO][160];
  int64_t od_first[N_OD], od_last[N_OD];

  /* First versions of the objects that get a second one. */
  json_t *v_camp, *v_is, *v_ta, *v_report, *v_ind_c2, *v_ind_shared;
} demo;

/* ---- building blocks ---------------------------------------------- */

static void fail(demo *d, acc_rc rc) {
  if (d->rc == ACC_OK)
    d->rc = rc;
}

/* Format into a fixed buffer; text that does not fit is an error (it
 * would otherwise silently corrupt a value or pattern). */
static void text(demo *d, char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void text(demo *d, char *buf, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int r = vsnprintf(buf, n, fmt, ap);
  va_end(ap);
  if (r < 0 || (size_t)r >= n)
    fail(d, ACC_EINVAL);
}

/* Register an id; returns its position, or 0 (a placeholder) on failure. */
static int reg_add(demo *d, const char *id, acc_gen_tlp tlp) {
  if (d->rc)
    return 0;
  if (d->n >= MAX_ENTS || strlen(id) >= ID_LEN) {
    fail(d, ACC_ENOMEM);
    return 0;
  }
  ent *e = &d->reg[d->n];
  snprintf(e->id, sizeof e->id, "%s", id);
  e->tlp = tlp;
  return (int)d->n++;
}

/* Register a new random id of the given type. */
static int reg_new(demo *d, const char *type, acc_gen_tlp tlp) {
  char uuid[ACC_GEN_UUID_LEN + 1], id[ID_LEN];
  acc_gen_uuid4(&d->rng, uuid);
  snprintf(id, sizeof id, "%s--%s", type, uuid);
  return reg_add(d, id, tlp);
}

static const char *rid(const demo *d, int i) {
  return d->reg[i].id;
}

static acc_gen_tlp max_tlp(acc_gen_tlp a, acc_gen_tlp b) {
  return a > b ? a : b;
}

/* A timestamp `day` days from the epoch plus up to `span` days, at
 * millisecond resolution. */
static int64_t at(demo *d, int day, int span) {
  uint64_t ms = acc_gen_rng_below(&d->rng, (uint64_t)span * 86400000);
  return ACC_GEN_EPOCH_US + day * ACC_GEN_DAY_US + (int64_t)ms * MS_US;
}

/* Setters: on failure they record ACC_ENOMEM and go on, so the scenario
 * reads straight and the error surfaces when the object is emitted. */
static void put(demo *d, json_t *o, const char *k, json_t *v) {
  if (!v || !o) {
    json_decref(v);
    fail(d, ACC_ENOMEM);
  } else if (json_object_set_new(o, k, v) != 0) { /* it frees v */
    fail(d, ACC_ENOMEM);
  }
}

static void put_s(demo *d, json_t *o, const char *k, const char *s) {
  put(d, o, k, json_string(s));
}

static void put_i(demo *d, json_t *o, const char *k, json_int_t v) {
  put(d, o, k, json_integer(v));
}

static void put_t(demo *d, json_t *o, const char *k, int64_t us) {
  char b[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, b);
  put_s(d, o, k, b);
}

static void put_ref(demo *d, json_t *o, const char *k, int i) {
  put_s(d, o, k, rid(d, i));
}

static void append(demo *d, json_t *a, json_t *v) {
  if (!v || !a) {
    json_decref(v);
    fail(d, ACC_ENOMEM);
  } else if (json_array_append_new(a, v) != 0) { /* it frees v */
    fail(d, ACC_ENOMEM);
  }
}

/* A list of strings, NULL-terminated. */
static void put_strs(demo *d, json_t *o, const char *k, const char *const *v) {
  json_t *a = json_array();
  for (size_t i = 0; v[i] && i < 64; i++)
    append(d, a, json_string(v[i]));
  put(d, o, k, a);
}

/* A list of references to registry positions. */
static void put_refs(demo *d, json_t *o, const char *k, const int *v,
                     size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    append(d, a, json_string(rid(d, v[i])));
  put(d, o, k, a);
}

/* The properties every SDO and SRO opens with. */
static json_t *sdo(demo *d, const char *type, int self, int creator,
                   int64_t created, int64_t modified) {
  json_t *o = json_object();
  put_s(d, o, "type", type);
  put_s(d, o, "spec_version", "2.1");
  put_ref(d, o, "id", self);
  if (creator >= 0)
    put_ref(d, o, "created_by_ref", d->org[creator]);
  put_t(d, o, "created", created);
  put_t(d, o, "modified", modified);
  return o;
}

/* Mark o with the TLP of registry entry `self` (as its last property),
 * write it, and drop the reference to it. */
static void emit(demo *d, json_t *o, int self) {
  if (!o)
    fail(d, ACC_ENOMEM);
  if (d->rc == ACC_OK) {
    json_t *m = json_array();
    append(d, m, json_string(acc_gen_tlp_id(d->reg[self].tlp)));
    json_object_del(o, "object_marking_refs");
    put(d, o, "object_marking_refs", m);
  }
  if (d->rc == ACC_OK) {
    acc_gen_out_json(&d->out, o);
    fail(d, d->out.rc);
  }
  json_decref(o);
}

/* Like emit, but keep a copy to make the next version from. */
static void emit_keep(demo *d, json_t *o, int self, json_t **keep) {
  if (o && d->rc == ACC_OK)
    *keep = json_incref(o);
  emit(d, o, self);
}

/* The next version of a kept object, modified at `modified`. */
static json_t *next_version(demo *d, json_t *prev, int64_t modified) {
  json_t *o = prev ? json_deep_copy(prev) : NULL;
  if (!o) {
    fail(d, ACC_ENOMEM);
    return NULL;
  }
  put_t(d, o, "modified", modified);
  return o;
}

static void hex_digest(demo *d, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  for (size_t w = 0; w < 4; w++) {
    uint64_t v = acc_gen_rng_next(&d->rng);
    for (size_t i = 0; i < 16; i++)
      out[w * 16 + i] = hex[(v >> (60 - 4 * i)) & 15];
  }
  out[64] = '\0';
}

/* Emit an SCO of `type` with properties `props` (taken over); its id is
 * the deterministic one of STIX §2.9. */
static int sco(demo *d, const char *type, json_t *props, acc_gen_tlp tlp) {
  char id[ACC_ID_MAX];
  json_t *probe = json_object(), *o = json_object();
  int self = 0;
  acc_rc rc;

  if (!props || !probe || !o) {
    fail(d, ACC_ENOMEM);
    goto out;
  }
  put_s(d, probe, "type", type);
  if (json_object_update(probe, props) != 0)
    fail(d, ACC_ENOMEM);
  if (d->rc)
    goto out;
  rc = acc_stix_sco_id(probe, id);
  if (rc) {
    fail(d, rc);
    goto out;
  }
  self = reg_add(d, id, tlp);
  put_s(d, o, "type", type);
  put_s(d, o, "spec_version", "2.1");
  put_s(d, o, "id", id);
  if (json_object_update(o, props) != 0)
    fail(d, ACC_ENOMEM);
  emit(d, o, self);
  o = NULL;
out:
  json_decref(o);
  json_decref(probe);
  json_decref(props);
  return self;
}

/* A relationship, marked at the stricter level of its two ends. */
static int rel(demo *d, const char *type, int src, int dst, int creator,
               int64_t created, const char *description) {
  acc_gen_tlp tlp = max_tlp(d->reg[src].tlp, d->reg[dst].tlp);
  int self = reg_new(d, "relationship", tlp);
  json_t *o = sdo(d, "relationship", self, creator, created, created);
  put_s(d, o, "relationship_type", type);
  if (description)
    put_s(d, o, "description", description);
  put_ref(d, o, "source_ref", src);
  put_ref(d, o, "target_ref", dst);
  emit(d, o, self);
  return self;
}

/* ---- the cast -------------------------------------------------------- */

static void emit_markings(demo *d) {
  for (int l = 0; l < ACC_GEN_TLP_COUNT && d->rc == ACC_OK; l++) {
    json_t *m = acc_gen_tlp_marking((acc_gen_tlp)l);
    if (!m) {
      fail(d, ACC_ENOMEM);
      break;
    }
    acc_gen_out_json(&d->out, m);
    fail(d, d->out.rc);
    json_decref(m);
  }
}

static void emit_identities(demo *d) {
  static const struct {
    const char *name, *desc, *klass, *contact;
    const char *sectors[3];
    acc_gen_tlp tlp;
  } orgs[N_ORG] = {
      {"CERT-VL",
       "National Computer Emergency Response Team of the Republic of "
       "Valdoria; national point of contact for ICT incidents (OSCE CBM 8).",
       "organization",
       "incident@cert-vl.example",
       {"government-national", NULL},
       ACC_GEN_TLP_CLEAR},
      {"EMCERT",
       "National Cyber Security Centre of the Kingdom of Estmark, operating "
       "the governmental CERT.",
       "organization",
       "duty@emcert.test",
       {"government-national", NULL},
       ACC_GEN_TLP_CLEAR},
      {"Ministry of Foreign Affairs of Valdoria - Cyber Diplomacy Division",
       "Coordinates Valdoria's diplomatic response to malicious cyber "
       "activity, including attribution statements and sanctions "
       "proposals.",
       "organization",
       "cyber-diplomacy@mfa-valdoria.example",
       {"government-national", NULL},
       ACC_GEN_TLP_CLEAR},
      {"Valdorian National Police - Cybercrime Directorate",
       "Investigates computer crime and handles mutual legal assistance "
       "requests on electronic evidence.",
       "organization",
       "cybercrime@police-valdoria.example",
       {"government-national", "emergency-services", NULL},
       ACC_GEN_TLP_CLEAR},
      {"Northgate Threat Labs",
       "Private incident response and threat intelligence firm.",
       "organization",
       "intel@northgate-labs.example",
       {"technology", NULL},
       ACC_GEN_TLP_CLEAR},
      {"Valgrid Transmission System Operator",
       "Operator of Valdoria's high-voltage electricity transmission grid.",
       "organization",
       NULL,
       {"energy", "utilities", NULL},
       ACC_GEN_TLP_AMBER},
      {"Ministry of Economy of Estmark",
       NULL,
       "organization",
       NULL,
       {"government-national", NULL},
       ACC_GEN_TLP_AMBER},
      {"Estmark Gas Storage Company",
       "Operator of underground natural gas storage sites.",
       "organization",
       NULL,
       {"energy", NULL},
       ACC_GEN_TLP_AMBER_STRICT},
      {"CERT-VL Duty Officer",
       "Named recipient for TLP:RED material.",
       "individual",
       "duty-officer@cert-vl.example",
       {NULL},
       ACC_GEN_TLP_RED},
  };
  for (int i = 0; i < N_ORG && d->rc == ACC_OK; i++) {
    /* CERT-VL first: it creates the others' records. */
    int64_t t = i == ORG_CERT_VL ? at(d, -420, 1) : at(d, -400, 30);
    d->org[i] = reg_new(d, "identity", orgs[i].tlp);
    /* CERT-VL describes itself without a creator; the rest are its
     * records of its partners and constituents. */
    json_t *o = sdo(d, "identity", d->org[i],
                    i == ORG_CERT_VL ? -1 : ORG_CERT_VL, t, t);
    put_s(d, o, "name", orgs[i].name);
    if (orgs[i].desc)
      put_s(d, o, "description", orgs[i].desc);
    put_s(d, o, "identity_class", orgs[i].klass);
    if (orgs[i].sectors[0])
      put_strs(d, o, "sectors", orgs[i].sectors);
    if (orgs[i].contact)
      put_s(d, o, "contact_information", orgs[i].contact);
    emit(d, o, d->org[i]);
  }
}

static void emit_attack_patterns(demo *d) {
  static const struct {
    const char *tid, *name, *phase;
  } aps[N_AP] = {
      {"T1566.001", "Spearphishing Attachment", "initial-access"},
      {"T1190", "Exploit Public-Facing Application", "initial-access"},
      {"T1078", "Valid Accounts", "initial-access"},
      {"T1059.001", "PowerShell", "execution"},
      {"T1003.001", "LSASS Memory", "credential-access"},
      {"T1021.002", "SMB/Windows Admin Shares", "lateral-movement"},
      {"T1071.001", "Web Protocols", "command-and-control"},
      {"T1105", "Ingress Tool Transfer", "command-and-control"},
      {"T1048.003", "Exfiltration Over Unencrypted Non-C2 Protocol",
       "exfiltration"},
      {"T1485", "Data Destruction", "impact"},
  };
  for (int i = 0; i < N_AP && d->rc == ACC_OK; i++) {
    char url[96], path[16];
    /* ATT&CK writes sub-technique T1566.001 as /techniques/T1566/001/. */
    text(d, path, sizeof path, "%s", aps[i].tid);
    char *dot = strchr(path, '.');
    if (dot)
      *dot = '/';
    text(d, url, sizeof url, "https://attack.mitre.org/techniques/%s/", path);
    int64_t t = at(d, -200, 30);
    d->ap[i] = reg_new(d, "attack-pattern", ACC_GEN_TLP_CLEAR);
    json_t *o = sdo(d, "attack-pattern", d->ap[i], ORG_FIRM, t, t);
    put_s(d, o, "name", aps[i].name);
    put(d, o, "external_references",
        json_pack("[{s:s, s:s, s:s}]", "source_name", "mitre-attack",
                  "external_id", aps[i].tid, "url", url));
    put(d, o, "kill_chain_phases",
        json_pack("[{s:s, s:s}]", "kill_chain_name", "mitre-attack",
                  "phase_name", aps[i].phase));
    emit(d, o, d->ap[i]);
  }
}

static void emit_malware_tools(demo *d) {
  static const struct {
    const char *name, *desc, *types[3], *caps[4];
  } mws[N_MW] = {
      {"SPINDLE",
       "Modular backdoor loaded as a DLL; beacons over HTTPS to a rotating "
       "list of relay servers.",
       {"backdoor", "remote-access-trojan", NULL},
       {"communicates-with-c2", "exfiltrates-data",
        "persists-after-system-reboot", NULL}},
      {"TALLOWDROP",
       "Dropper delivered in macro-enabled documents; fetches SPINDLE.",
       {"dropper", "downloader", NULL},
       {"installs-other-components", "evades-av", NULL}},
      {"FROSTBITE",
       "Wiper that overwrites engineering workstation project files and "
       "the master boot record.",
       {"wiper", NULL},
       {"compromises-data-availability", "compromises-system-availability",
        NULL}},
  };
  for (int i = 0; i < N_MW && d->rc == ACC_OK; i++) {
    int64_t t = at(d, -120, 20);
    d->mw[i] = reg_new(d, "malware", ACC_GEN_TLP_CLEAR);
    json_t *o = sdo(d, "malware", d->mw[i], ORG_FIRM, t, t);
    put_s(d, o, "name", mws[i].name);
    put_s(d, o, "description", mws[i].desc);
    put_strs(d, o, "malware_types", mws[i].types);
    put(d, o, "is_family", json_true());
    put_strs(d, o, "capabilities", mws[i].caps);
    put_strs(d, o, "architecture_execution_envs",
             (const char *const[]){"x86-64", NULL});
    emit(d, o, d->mw[i]);
  }
  static const struct {
    const char *name, *type;
  } tools[N_TOOL] = {{"PsExec", "remote-access"},
                     {"Mimikatz", "credential-exploitation"}};
  for (int i = 0; i < N_TOOL && d->rc == ACC_OK; i++) {
    int64_t t = at(d, -120, 20);
    d->tool[i] = reg_new(d, "tool", ACC_GEN_TLP_CLEAR);
    json_t *o = sdo(d, "tool", d->tool[i], ORG_FIRM, t, t);
    put_s(d, o, "name", tools[i].name);
    put_strs(d, o, "tool_types", (const char *const[]){tools[i].type, NULL});
    emit(d, o, d->tool[i]);
  }
}

static void emit_actors(demo *d) {
  int64_t t = at(d, -90, 10);
  d->ta = reg_new(d, "threat-actor", ACC_GEN_TLP_AMBER_STRICT);
  json_t *o = sdo(d, "threat-actor", d->ta, ORG_CERT_VL, t, t);
  put_s(d, o, "name", "Borrovian Military Signals Unit 4471");
  put_s(d, o, "description",
        "Signals intelligence unit of the armed forces of the Federal "
        "Republic of Borrovia, assessed to direct GLASS HERON operations.");
  put_strs(d, o, "threat_actor_types",
           (const char *const[]){"nation-state", NULL});
  put_strs(d, o, "roles", (const char *const[]){"director", "sponsor", NULL});
  put_s(d, o, "sophistication", "expert");
  put_s(d, o, "resource_level", "government");
  put_s(d, o, "primary_motivation", "dominance");
  put_i(d, o, "confidence", 50);
  emit_keep(d, o, d->ta, &d->v_ta);

  t = at(d, -80, 10);
  d->is = reg_new(d, "intrusion-set", ACC_GEN_TLP_GREEN);
  o = sdo(d, "intrusion-set", d->is, ORG_CERT_VL, t, t);
  put_s(d, o, "name", "GLASS HERON");
  put_s(d, o, "description",
        "Intrusion set targeting energy and government networks in "
        "Valdoria and Estmark since 2025.");
  put_strs(d, o, "aliases", (const char *const[]){"Grey Lantern", NULL});
  put_t(d, o, "first_seen", ACC_GEN_EPOCH_US - 170 * ACC_GEN_DAY_US);
  put_strs(d, o, "goals",
           (const char *const[]){"Pre-position in energy control networks",
                                 "Collect economic policy documents", NULL});
  put_s(d, o, "resource_level", "government");
  put_s(d, o, "primary_motivation", "organizational-gain");
  emit_keep(d, o, d->is, &d->v_is);

  t = at(d, -75, 5);
  d->infra = reg_new(d, "infrastructure", ACC_GEN_TLP_GREEN);
  o = sdo(d, "infrastructure", d->infra, ORG_FIRM, t, t);
  put_s(d, o, "name", "GLASS HERON relay network");
  put_s(d, o, "description",
        "Leased virtual servers used as HTTPS relays for SPINDLE.");
  put_strs(d, o, "infrastructure_types",
           (const char *const[]){"command-and-control", NULL});
  emit(d, o, d->infra);

  t = at(d, -40, 3);
  d->camp = reg_new(d, "campaign", ACC_GEN_TLP_AMBER);
  o = sdo(d, "campaign", d->camp, ORG_CERT_VL, t, t);
  put_s(d, o, "name", "Operation COLD SWITCH");
  put_s(d, o, "description",
        "Spearphishing and VPN exploitation against the Valdorian "
        "transmission system operator and the Estmark Ministry of Economy, "
        "followed by credential theft and staging of a wiper.");
  put_t(d, o, "first_seen", ACC_GEN_EPOCH_US - 56 * ACC_GEN_DAY_US);
  put_t(d, o, "last_seen", ACC_GEN_EPOCH_US - 12 * ACC_GEN_DAY_US);
  put_s(d, o, "objective",
        "Gain the ability to disrupt electricity transmission and collect "
        "economic policy information.");
  emit_keep(d, o, d->camp, &d->v_camp);
}

/* ---- observables --------------------------------------------------- */

static const char *const dom_stems[] = {
    "valgrid-sso",          "estmark-gov-mail",      "grid-telemetry-update",
    "secure-docs-portal",   "mfa-verify-login",      "cdn-static-cache",
    "energy-tender-portal", "scada-patch-notes",     "vpn-gateway-auth",
    "webaccess-sync",       "ministry-press-office", "ot-vendor-support",
    "cloud-backup-sync",    "pki-crl-update",
};
#define N_STEMS (sizeof dom_stems / sizeof dom_stems[0])

/* Each URL: the domain it is on and its path (URL 1 is plain HTTP: the
 * exfiltration channel, T1048.003). */
static const struct {
  int dom;
  const char *scheme, *path;
} urls[N_URL] = {
    {4, "https", "/owa/auth/logon.aspx"},
    {9, "http", "/upload/part.bin"},
    {7, "https", "/updates/kb9930127.msi"},
    {0, "https", "/api/v2/beacon"},
    {5, "https", "/share/grid-maintenance.xlsm"},
    {8, "https", "/static/js/loader.js"},
};

static const struct {
  const char *name;
  int mw;
} files[N_FILE] = {
    {"Tender_Q2_2026_specification.docm", MW_TALLOWDROP},
    {"grid_maintenance_schedule.xlsm", MW_TALLOWDROP},
    {"spindle_x64.dll", MW_SPINDLE},
    {"tallowdrop.exe", MW_TALLOWDROP},
    {"svchelper.exe", MW_FROSTBITE},
    {"update_kb9930127.msi", MW_SPINDLE},
};

static const char *const mail_users[N_MAIL] = {"procurement", "it-helpdesk",
                                               "press"};

/* The marking of each observable and of the indicator made from it. */
static acc_gen_tlp sco_tlp(int i) {
  if (i < IP(6))
    return ACC_GEN_TLP_GREEN;
  if (i < IP(12))
    return i == IP(IP_SHARED) ? ACC_GEN_TLP_GREEN : ACC_GEN_TLP_AMBER;
  if (i < DOM(0))
    return ACC_GEN_TLP_AMBER;
  if (i < DOM(4))
    return ACC_GEN_TLP_GREEN;
  if (i < DOM(7))
    return ACC_GEN_TLP_CLEAR;
  if (i < URL(0))
    return ACC_GEN_TLP_GREEN;
  if (i < FIL(0))
    return ACC_GEN_TLP_AMBER;
  if (i < MAIL(0))
    return ACC_GEN_TLP_CLEAR;
  return ACC_GEN_TLP_AMBER;
}

static void emit_observables(demo *d) {
  static const char *const nets[3] = {"203.0.113", "198.51.100", "192.0.2"};
  static const int net_first[4] = {0, 6, 12, 16};
  for (int n = 0; n < 3; n++) {
    /* 37 is prime to 254, so the octets within one network differ. */
    uint64_t off = acc_gen_rng_below(&d->rng, 254);
    for (int i = net_first[n]; i < net_first[n + 1]; i++) {
      uint64_t k = (uint64_t)(i - net_first[n]);
      text(d, d->val[IP(i)], sizeof d->val[0], "%s.%u", nets[n],
           (unsigned)(1 + (k * 37 + off) % 254));
    }
  }
  uint64_t off = acc_gen_rng_below(&d->rng, N_STEMS);
  for (int i = 0; i < N_DOM; i++) {
    /* 5 is prime to 14: ten distinct stems. */
    size_t s = (size_t)((off + (uint64_t)i * 5) % N_STEMS);
    text(d, d->val[DOM(i)], sizeof d->val[0], "%s%s", dom_stems[s],
         s % 2 ? ".test" : ".example");
  }
  for (int i = 0; i < N_URL; i++)
    text(d, d->val[URL(i)], sizeof d->val[0], "%s://%s%s", urls[i].scheme,
         d->val[DOM(urls[i].dom)], urls[i].path);
  for (int i = 0; i < N_FILE; i++)
    hex_digest(d, d->val[FIL(i)]);
  for (int i = 0; i < N_MAIL; i++)
    text(d, d->val[MAIL(i)], sizeof d->val[0], "%s@%s", mail_users[i],
         d->val[DOM(4 + i)]);

  for (int i = 0; i < N_SCO && d->rc == ACC_OK; i++) {
    json_t *p = json_object();
    const char *type;
    if (i < DOM(0)) {
      type = "ipv4-addr";
      put_s(d, p, "value", d->val[i]);
    } else if (i < URL(0)) {
      type = "domain-name";
      put_s(d, p, "value", d->val[i]);
    } else if (i < FIL(0)) {
      type = "url";
      put_s(d, p, "value", d->val[i]);
    } else if (i < MAIL(0)) {
      type = "file";
      put(d, p, "hashes", json_pack("{s:s}", "SHA-256", d->val[i]));
      put_s(d, p, "name", files[i - FIL(0)].name);
      put_i(d, p, "size",
            (json_int_t)(20000 + acc_gen_rng_below(&d->rng, 2000000)));
    } else {
      type = "email-addr";
      put_s(d, p, "value", d->val[i]);
    }
    d->sco[i] = sco(d, type, p, sco_tlp(i));
  }
}

/* Who observed what: each observed-data groups observables from one
 * event, reported by `creator`, seen at `where`. */
static const struct {
  int creator, where;
  acc_gen_tlp tlp;
  int refs[5]; /* positions in the observable list, -1 ends */
} ods[N_OD] = {
    {ORG_CERT_EM,
     ORG_MINISTRY,
     ACC_GEN_TLP_AMBER_STRICT,
     {MAIL(0), URL(0), FIL(0), -1}},
    {ORG_CERT_VL,
     ORG_GRID,
     ACC_GEN_TLP_AMBER_STRICT,
     {MAIL(1), FIL(1), DOM(5), -1}},
    {ORG_CERT_VL,
     ORG_GRID,
     ACC_GEN_TLP_AMBER,
     {IP(0), IP(1), DOM(0), URL(3), -1}},
    {ORG_CERT_EM, ORG_MINISTRY, ACC_GEN_TLP_AMBER, {IP(2), DOM(1), FIL(2), -1}},
    {ORG_CERT_VL, ORG_CERT_VL, ACC_GEN_TLP_GREEN, {IP(6), IP(7), IP(8), -1}},
    {ORG_CERT_EM, ORG_CERT_EM, ACC_GEN_TLP_GREEN, {IP(9), IP(10), IP(11), -1}},
    {ORG_FIRM, ORG_GRID, ACC_GEN_TLP_AMBER, {FIL(3), FIL(5), URL(2), -1}},
    {ORG_CERT_VL,
     ORG_GRID,
     ACC_GEN_TLP_AMBER_STRICT,
     {IP(12), IP(13), URL(1), -1}},
    {ORG_FIRM, ORG_GAS, ACC_GEN_TLP_AMBER_STRICT, {FIL(4), IP(14), DOM(8), -1}},
    {ORG_FIRM, ORG_FIRM, ACC_GEN_TLP_GREEN, {IP(15), IP(3), IP(4), DOM(2), -1}},
};

static void emit_observed_data(demo *d) {
  for (int i = 0; i < N_OD && d->rc == ACC_OK; i++) {
    int refs[5];
    size_t n = 0;
    for (; n < 5 && ods[i].refs[n] >= 0; n++)
      refs[n] = d->sco[ods[i].refs[n]];
    d->od_first[i] = at(d, -55 + 4 * i, 3);
    d->od_last[i] = d->od_first[i] +
                    (int64_t)(1 + acc_gen_rng_below(&d->rng, 72)) * HOUR_US;
    int64_t t =
        d->od_last[i] + (int64_t)(1 + acc_gen_rng_below(&d->rng, 48)) * HOUR_US;
    d->od[i] = reg_new(d, "observed-data", ods[i].tlp);
    json_t *o = sdo(d, "observed-data", d->od[i], ods[i].creator, t, t);
    put_t(d, o, "first_observed", d->od_first[i]);
    put_t(d, o, "last_observed", d->od_last[i]);
    put_i(d, o, "number_observed",
          (json_int_t)(1 + acc_gen_rng_below(&d->rng, 60)));
    put_refs(d, o, "object_refs", refs, n);
    emit(d, o, d->od[i]);
  }
}

/* ---- indicators ------------------------------------------------------ */

/* What an indicator of observable i says and who wrote it. */
static void describe(demo *d, int i, char *name, size_t nname, char *pattern,
                     size_t npat, const char **kind, int *creator) {
  const char *v = d->val[i];
  *kind = "malicious-activity";
  *creator = ORG_CERT_VL;
  if (i < DOM(0)) {
    const char *role = i < IP(6)    ? "GLASS HERON C2 relay"
                       : i < IP(12) ? "VPN exploitation source"
                                    : "exfiltration server";
    if (i >= IP(6) && i < IP(12))
      *kind = "anomalous-activity";
    if (i >= IP(9) && i < IP(12))
      *creator = ORG_CERT_EM;
    text(d, name, nname, "%s %s", role, v);
    text(d, pattern, npat, "[ipv4-addr:value = '%s']", v);
  } else if (i < URL(0)) {
    const char *role = i < DOM(4)   ? "C2 domain"
                       : i < DOM(7) ? "Phishing domain"
                                    : "Payload hosting domain";
    text(d, name, nname, "%s %s", role, v);
    text(d, pattern, npat, "[domain-name:value = '%s']", v);
  } else if (i < FIL(0)) {
    *creator = ORG_CERT_EM;
    text(d, name, nname, "COLD SWITCH URL %s", v);
    text(d, pattern, npat, "[url:value = '%s']", v);
  } else if (i < MAIL(0)) {
    *creator = ORG_FIRM;
    text(d, name, nname, "%s sample %s",
         files[i - FIL(0)].mw == MW_SPINDLE      ? "SPINDLE"
         : files[i - FIL(0)].mw == MW_TALLOWDROP ? "TALLOWDROP"
                                                 : "FROSTBITE",
         files[i - FIL(0)].name);
    text(d, pattern, npat, "[file:hashes.'SHA-256' = '%s']", v);
  } else {
    *creator = ORG_CERT_EM;
    text(d, name, nname, "Spearphishing sender %s", v);
    text(d, pattern, npat, "[email-addr:value = '%s']", v);
  }
}

static json_t *indicator(demo *d, int self, int creator, int64_t t,
                         const char *name, const char *pattern,
                         const char *kind, int confidence) {
  json_t *o = sdo(d, "indicator", self, creator, t, t);
  put_s(d, o, "name", name);
  put_strs(d, o, "indicator_types", (const char *const[]){kind, NULL});
  put_s(d, o, "pattern", pattern);
  put_s(d, o, "pattern_type", "stix");
  put_s(d, o, "pattern_version", "2.1");
  put_t(d, o, "valid_from", t);
  put_i(d, o, "confidence", confidence);
  return o;
}

static void emit_indicators(demo *d) {
  static const int conf[] = {50, 70, 85, 90};
  for (int i = 0; i < N_SCO && d->rc == ACC_OK; i++) {
    char name[256], pattern[256];
    const char *kind;
    int creator;
    describe(d, i, name, sizeof name, pattern, sizeof pattern, &kind, &creator);
    int64_t t = at(d, -25, 15);
    d->ind[i] = reg_new(d, "indicator", sco_tlp(i));
    json_t *o = indicator(d, d->ind[i], creator, t, name, pattern, kind,
                          conf[acc_gen_rng_below(&d->rng, 4)]);
    if (i < IP(12))
      /* Addresses change hands: expire after 90 days. */
      put_t(d, o, "valid_until", t + 90 * ACC_GEN_DAY_US);
    if (i == IP(0))
      emit_keep(d, o, d->ind[i], &d->v_ind_c2);
    else if (i == IP(IP_SHARED))
      emit_keep(d, o, d->ind[i], &d->v_ind_shared);
    else
      emit(d, o, d->ind[i]);
  }

  /* Three behavioural indicators combining observables. */
  char pat[3][512], name[3][96];
  text(d, pat[0], sizeof pat[0],
       "[ipv4-addr:value = '%s' OR ipv4-addr:value = '%s' OR "
       "ipv4-addr:value = '%s']",
       d->val[IP(0)], d->val[IP(1)], d->val[IP(2)]);
  text(d, name[0], sizeof name[0], "GLASS HERON relay set, early 2026");
  text(d, pat[1], sizeof pat[1],
       "[email-addr:value = '%s'] FOLLOWEDBY "
       "[file:hashes.'SHA-256' = '%s'] WITHIN 3600 SECONDS",
       d->val[MAIL(0)], d->val[FIL(0)]);
  text(d, name[1], sizeof name[1], "Tender lure followed by dropper");
  text(d, pat[2], sizeof pat[2],
       "[ipv4-addr:value ISSUBSET '198.51.100.0/24'] AND "
       "[domain-name:value = '%s']",
       d->val[DOM(8)]);
  text(d, name[2], sizeof name[2], "Exploitation range with C2 lookup");
  for (int k = 0; k < N_COMPOUND && d->rc == ACC_OK; k++) {
    int64_t t = at(d, -15, 6);
    d->ind[N_SCO + k] = reg_new(d, "indicator", ACC_GEN_TLP_AMBER);
    json_t *o = indicator(d, d->ind[N_SCO + k], ORG_CERT_VL, t, name[k], pat[k],
                          "attribution", 70);
    emit(d, o, d->ind[N_SCO + k]);
  }
}

/* ---- relationships and sightings ------------------------------------ */

static void emit_relationships(demo *d) {
  /* What each indicator indicates. */
  for (int i = 0; i < N_IND && d->rc == ACC_OK; i++) {
    int dst;
    if (i < IP(6) || (i >= DOM(0) && i < DOM(4)) || i >= N_SCO)
      dst = d->is;
    else if (i >= DOM(7) && i < URL(0))
      dst = d->mw[MW_TALLOWDROP];
    else if (i >= FIL(0) && i < MAIL(0))
      dst = d->mw[files[i - FIL(0)].mw];
    else
      dst = d->camp;
    rel(d, "indicates", d->ind[i], dst, ORG_CERT_VL, at(d, -10, 5), NULL);
  }
  /* Indicators rest on the observations they were drawn from. */
  int based[N_SCO] = {0};
  for (int k = 0; k < N_OD; k++)
    for (int j = 0; j < 5 && ods[k].refs[j] >= 0 && d->rc == ACC_OK; j++) {
      int s = ods[k].refs[j];
      if (based[s])
        continue;
      based[s] = 1;
      rel(d, "based-on", d->ind[s], d->od[k], ods[k].creator, at(d, -10, 5),
          NULL);
    }

  /* The group's tradecraft. */
  for (int i = 0; i < N_MW; i++)
    rel(d, "uses", d->is, d->mw[i], ORG_FIRM, at(d, -70, 10), NULL);
  for (int i = 0; i < N_TOOL; i++)
    rel(d, "uses", d->is, d->tool[i], ORG_FIRM, at(d, -70, 10), NULL);
  for (int i = 0; i < N_AP; i++)
    rel(d, "uses", d->is, d->ap[i], ORG_FIRM, at(d, -70, 10), NULL);
  rel(d, "uses", d->is, d->infra, ORG_FIRM, at(d, -70, 10), NULL);
  static const int camp_aps[] = {0, 1, 2, 4, 5};
  for (size_t i = 0; i < sizeof camp_aps / sizeof camp_aps[0]; i++)
    rel(d, "uses", d->camp, d->ap[camp_aps[i]], ORG_CERT_VL, at(d, -30, 10),
        NULL);
  rel(d, "uses", d->mw[MW_SPINDLE], d->ap[6], ORG_FIRM, at(d, -100, 10), NULL);
  rel(d, "uses", d->mw[MW_TALLOWDROP], d->ap[3], ORG_FIRM, at(d, -100, 10),
      NULL);
  rel(d, "uses", d->mw[MW_TALLOWDROP], d->ap[7], ORG_FIRM, at(d, -100, 10),
      NULL);
  rel(d, "uses", d->mw[MW_FROSTBITE], d->ap[9], ORG_FIRM, at(d, -100, 10),
      NULL);
  for (int i = 0; i < 2; i++)
    rel(d, "communicates-with", d->mw[MW_SPINDLE], d->sco[DOM(i)], ORG_FIRM,
        at(d, -60, 10), NULL);
  for (int i = 0; i < 6; i++)
    rel(d, "consists-of", d->infra, d->sco[IP(i)], ORG_FIRM, at(d, -60, 20),
        NULL);
  for (int i = 0; i < 4; i++)
    rel(d, "consists-of", d->infra, d->sco[DOM(i)], ORG_FIRM, at(d, -60, 20),
        NULL);

  /* Who was hit, and who did it. */
  rel(d, "targets", d->camp, d->org[ORG_GRID], ORG_CERT_VL, at(d, -38, 2),
      NULL);
  rel(d, "targets", d->camp, d->org[ORG_MINISTRY], ORG_CERT_EM, at(d, -38, 2),
      NULL);
  rel(d, "attributed-to", d->camp, d->is, ORG_CERT_VL, at(d, -30, 5),
      "Shared C2 relays, SPINDLE configuration and phishing "
      "infrastructure.");
  d->rel_attr =
      rel(d, "attributed-to", d->is, d->ta, ORG_CERT_VL, at(d, -20, 5),
          "Operator working hours, infrastructure payments and "
          "subscriber records link GLASS HERON to Unit 4471.");
}

static void sighting(demo *d, int ind, int where, int od, int creator,
                     int64_t first, int64_t last, acc_gen_tlp tlp) {
  int64_t t = last + (int64_t)(1 + acc_gen_rng_below(&d->rng, 24)) * HOUR_US;
  int self = reg_new(d, "sighting", max_tlp(tlp, d->reg[ind].tlp));
  json_t *o = sdo(d, "sighting", self, creator, t, t);
  put_t(d, o, "first_seen", first);
  put_t(d, o, "last_seen", last);
  put_i(d, o, "count", (json_int_t)(1 + acc_gen_rng_below(&d->rng, 40)));
  put_ref(d, o, "sighting_of_ref", ind);
  if (od)
    put_refs(d, o, "observed_data_refs", &od, 1);
  put_refs(d, o, "where_sighted_refs", &d->org[where], 1);
  emit(d, o, self);
}

static void emit_sightings(demo *d) {
  /* Each reported event sights the indicators of its first observables. */
  for (int k = 0; k < N_OD && d->rc == ACC_OK; k++)
    for (int j = 0; j < 2 && ods[k].refs[j] >= 0; j++)
      sighting(d, d->ind[ods[k].refs[j]], ods[k].where, d->od[k],
               ods[k].creator, d->od_first[k], d->od_last[k], ods[k].tlp);
  /* Partners' sensors and retro-hunts. */
  static const struct {
    int sco, where;
    acc_gen_tlp tlp;
  } more[] = {
      {IP(0), ORG_FIRM, ACC_GEN_TLP_GREEN},
      {IP(1), ORG_FIRM, ACC_GEN_TLP_GREEN},
      {IP(5), ORG_CERT_EM, ACC_GEN_TLP_GREEN},
      {DOM(3), ORG_CERT_EM, ACC_GEN_TLP_GREEN},
      {FIL(2), ORG_GAS, ACC_GEN_TLP_AMBER_STRICT},
      {IP(IP_SHARED), ORG_CERT_VL, ACC_GEN_TLP_GREEN},
  };
  for (size_t i = 0; i < sizeof more / sizeof more[0] && d->rc == ACC_OK; i++) {
    int64_t first = at(d, -20, 10);
    int64_t last =
        first + (int64_t)(1 + acc_gen_rng_below(&d->rng, 96)) * HOUR_US;
    sighting(d, d->ind[more[i].sco], more[i].where, 0, more[i].where, first,
             last, more[i].tlp);
  }
  /* The compound indicators, found in retro-hunts by CERT-VL. */
  for (int k = 0; k < N_COMPOUND && d->rc == ACC_OK; k++) {
    int64_t first = at(d, -9, 4);
    sighting(d, d->ind[N_SCO + k], ORG_CERT_VL, 0, ORG_CERT_VL, first,
             first + 6 * HOUR_US, ACC_GEN_TLP_AMBER);
  }
}

/* ---- analysis: notes, opinions, reports ----------------------------- */

static void note(demo *d, int creator, acc_gen_tlp tlp, const char *author,
                 const char *abstract, const char *content, const int *refs,
                 size_t nrefs) {
  int64_t t = at(d, -6, 5);
  int self = reg_new(d, "note", tlp);
  json_t *o = sdo(d, "note", self, creator, t, t);
  put_s(d, o, "abstract", abstract);
  put_s(d, o, "content", content);
  put_strs(d, o, "authors", (const char *const[]){author, NULL});
  put_refs(d, o, "object_refs", refs, nrefs);
  emit(d, o, self);
}

static void emit_notes(demo *d) {
  char buf[512];
  text(d, buf, sizeof buf,
       "Subscriber records for %s, obtained under a mutual legal "
       "assistance request, name a front company whose payments match "
       "those for two other GLASS HERON relays. Not releasable: "
       "judicial secrecy applies until the case is closed.",
       d->val[IP(12)]);
  note(d, ORG_POLICE, ACC_GEN_TLP_RED, "Cybercrime Directorate, case team 3",
       "Hosting subscriber records", buf, &d->ind[IP(12)], 1);

  text(d, buf, sizeof buf,
       "%s is a shared web-hosting address serving several hundred "
       "unrelated sites; the exploitation traffic came from one "
       "tenant. Indicator withdrawn to avoid blocking legitimate "
       "services.",
       d->val[IP(IP_SHARED)]);
  note(d, ORG_CERT_EM, ACC_GEN_TLP_GREEN, "EMCERT duty analyst",
       "Shared hosting: false positive", buf, &d->ind[IP(IP_SHARED)], 1);

  text(d, buf, sizeof buf,
       "%s is an exit node of a commercial VPN service. Traffic from it "
       "shows a stepping stone, not the operator's location; do not "
       "rely on it for attribution.",
       d->val[IP(7)]);
  note(d, ORG_CERT_EM, ACC_GEN_TLP_AMBER, "EMCERT duty analyst",
       "Anonymising relay", buf, &d->ind[IP(7)], 1);

  int refs[2] = {d->mw[MW_SPINDLE], d->is};
  note(d, ORG_FIRM, ACC_GEN_TLP_AMBER, "Northgate reverse engineering team",
       "SPINDLE configuration decrypted",
       "The embedded configuration (XOR key rotated per build) lists six "
       "relay servers, all of which appear in the GLASS HERON relay network."
       " Build timestamps cluster in working hours of UTC+3.",
       refs, 2);

  int refs2[2] = {d->camp, d->ta};
  note(d, ORG_MFA, ACC_GEN_TLP_AMBER_STRICT, "Cyber Diplomacy Division",
       "Consultation requested",
       "A request for consultations under OSCE CBM 3 was delivered to the "
       "Borrovian point of contact; a reply is due within 15 days. "
       "Partners are asked not to act publicly before that date.",
       refs2, 2);
}

static void emit_opinions(demo *d) {
  static const struct {
    int creator;
    acc_gen_tlp tlp;
    const char *opinion, *author, *explanation;
  } ops[] = {
      {ORG_CERT_VL, ACC_GEN_TLP_AMBER_STRICT, "strongly-agree",
       "CERT-VL head of analysis",
       "Infrastructure, malware and working-hour evidence converge."},
      {ORG_CERT_EM, ACC_GEN_TLP_AMBER_STRICT, "agree", "EMCERT director",
       "Consistent with our incident data at the Ministry of Economy."},
      {ORG_FIRM, ACC_GEN_TLP_AMBER, "agree", "Northgate Threat Labs",
       "Malware lineage supports the link; tasking evidence is not ours to "
       "judge."},
      {ORG_POLICE, ACC_GEN_TLP_RED, "neutral", "Cybercrime Directorate",
       "Our evidence is consistent with the assessment but cannot be "
       "released while proceedings are open."},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0] && d->rc == ACC_OK; i++) {
    int64_t t = at(d, -4, 3);
    int self = reg_new(d, "opinion", ops[i].tlp);
    json_t *o = sdo(d, "opinion", self, ops[i].creator, t, t);
    put_s(d, o, "explanation", ops[i].explanation);
    put_strs(d, o, "authors", (const char *const[]){ops[i].author, NULL});
    put_s(d, o, "opinion", ops[i].opinion);
    put_refs(d, o, "object_refs", &d->rel_attr, 1);
    emit(d, o, self);
  }
}

/* References into the registry between positions [from, to) that are
 * marked at most `tlp`, in emission order. */
static void refs_upto(demo *d, json_t *a, int from, int to, acc_gen_tlp tlp) {
  for (int i = from; i < to; i++)
    if (d->reg[i].tlp <= tlp)
      append(d, a, json_string(rid(d, i)));
}

static void emit_reports(demo *d, int first_analysis) {
  /* A public joint advisory: only CLEAR content, so it can be released. */
  int64_t t = at(d, -2, 1);
  d->report_pub = reg_new(d, "report", ACC_GEN_TLP_CLEAR);
  json_t *o = sdo(d, "report", d->report_pub, ORG_CERT_VL, t, t);
  put_s(d, o, "name",
        "Joint advisory: GLASS HERON tooling used against energy operators");
  put_s(d, o, "description",
        "CERT-VL and EMCERT describe the malware, tools and techniques of "
        "the GLASS HERON intrusion set and publish file hashes and "
        "phishing domains for detection.");
  put_strs(d, o, "report_types",
           (const char *const[]){"threat-report", "malware", NULL});
  put_t(d, o, "published", t);
  json_t *refs = json_array();
  refs_upto(d, refs, d->org[0], d->org[ORG_FIRM] + 1, ACC_GEN_TLP_CLEAR);
  refs_upto(d, refs, d->ap[0], d->tool[N_TOOL - 1] + 1, ACC_GEN_TLP_CLEAR);
  refs_upto(d, refs, d->ind[0], d->ind[N_IND - 1] + 1, ACC_GEN_TLP_CLEAR);
  put(d, o, "object_refs", refs);
  emit_keep(d, o, d->report_pub, &d->v_report);

  /* CERT-VL's technical report to partners. */
  t = at(d, -2, 1);
  int self = reg_new(d, "report", ACC_GEN_TLP_AMBER);
  o = sdo(d, "report", self, ORG_CERT_VL, t, t);
  put_s(d, o, "name", "Operation COLD SWITCH: technical report");
  put_s(d, o, "description",
        "Timeline, observables and detection content from the incidents at "
        "Valgrid and the Estmark Ministry of Economy.");
  put_strs(d, o, "report_types",
           (const char *const[]){"campaign", "indicator", NULL});
  put_t(d, o, "published", t);
  refs = json_array();
  refs_upto(d, refs, d->is, d->camp + 1, ACC_GEN_TLP_AMBER);
  refs_upto(d, refs, d->od[0], first_analysis, ACC_GEN_TLP_AMBER);
  put(d, o, "object_refs", refs);
  emit(d, o, self);

  /* The attribution assessment behind a possible joint statement. */
  t = at(d, -1, 1);
  self = reg_new(d, "report", ACC_GEN_TLP_AMBER_STRICT);
  o = sdo(d, "report", self, ORG_MFA, t, t);
  put_s(d, o, "name", "Attribution assessment: Operation COLD SWITCH");
  put_s(d, o, "description",
        "It is likely (55-80%) that Operation COLD SWITCH was conducted by "
        "GLASS HERON on behalf of Borrovian Military Signals Unit 4471. "
        "Analytic confidence: moderate.");
  put_strs(d, o, "report_types",
           (const char *const[]){"threat-actor", "campaign", NULL});
  put_t(d, o, "published", t);
  refs = json_array();
  int core[] = {d->ta, d->is, d->camp, d->rel_attr};
  for (size_t i = 0; i < sizeof core / sizeof core[0]; i++)
    append(d, refs, json_string(rid(d, core[i])));
  refs_upto(d, refs, first_analysis, self, ACC_GEN_TLP_RED);
  put(d, o, "object_refs", refs);
  emit(d, o, self);
}

/* ---- later versions ---------------------------------------------------- */

static void emit_updates(demo *d) {
  /* The shared-hosting indicator is withdrawn. */
  json_t *o = next_version(d, d->v_ind_shared, at(d, 0, 1));
  put(d, o, "revoked", json_true());
  emit(d, o, d->ind[IP(IP_SHARED)]);

  /* More sightings raise confidence in a C2 indicator. */
  o = next_version(d, d->v_ind_c2, at(d, 1, 1));
  put_i(d, o, "confidence", 95);
  emit(d, o, d->ind[IP(0)]);

  /* A partner's alias for the group. */
  int64_t t = at(d, 2, 1);
  o = next_version(d, d->v_is, t);
  put_strs(d, o, "aliases",
           (const char *const[]){"Grey Lantern", "TA-VL-07", NULL});
  put_t(d, o, "last_seen", ACC_GEN_EPOCH_US - 3 * ACC_GEN_DAY_US);
  emit(d, o, d->is);

  /* The advisory is amended with the malware-to-technique mapping. */
  o = next_version(d, d->v_report, at(d, 4, 1));
  json_t *refs = o ? json_object_get(o, "object_refs") : NULL;
  if (o && !refs)
    fail(d, ACC_EINVAL);
  else if (refs)
    for (int i = 1; i < (int)d->n && d->rc == ACC_OK; i++)
      if (d->reg[i].tlp == ACC_GEN_TLP_CLEAR &&
          strncmp(d->reg[i].id, "relationship--", 14) == 0)
        append(d, refs, json_string(d->reg[i].id));
  emit(d, o, d->report_pub);

  /* A third victim is found; the campaign record is revised. */
  t = at(d, 6, 1);
  rel(d, "targets", d->camp, d->org[ORG_GAS], ORG_FIRM, t, NULL);
  o = next_version(d, d->v_camp, t + 60 * INT64_C(1000000));
  put_s(d, o, "description",
        "Spearphishing and VPN exploitation against the Valdorian "
        "transmission system operator, the Estmark Ministry of Economy and "
        "the Estmark Gas Storage Company, followed by credential theft and "
        "staging of the FROSTBITE wiper.");
  put_t(d, o, "last_seen", ACC_GEN_EPOCH_US - 2 * ACC_GEN_DAY_US);
  emit(d, o, d->camp);

  /* Partners' endorsements raise the actor's confidence. */
  o = next_version(d, d->v_ta, at(d, 8, 1));
  put_i(d, o, "confidence", 85);
  emit(d, o, d->ta);
}

acc_rc acc_gen_demo(FILE *out, acc_gen_format fmt, uint64_t seed,
                    uint64_t *n_objects) {
  acc_rc rc = ACC_OK;
  char bundle[ACC_GEN_UUID_LEN + 1];
  demo *d;

  if (!out || (fmt != ACC_GEN_BUNDLE && fmt != ACC_GEN_LINES))
    return ACC_EINVAL;
  d = calloc(1, sizeof *d);
  if (!d)
    return ACC_ENOMEM;
  d->n = 1; /* entry 0 is where failed registrations point */
  acc_gen_rng_seed(&d->rng, seed, 1);
  acc_gen_uuid4(&d->rng, bundle);
  acc_gen_out_begin(&d->out, out, fmt, bundle);
  fail(d, d->out.rc);

  emit_markings(d);
  emit_identities(d);
  emit_attack_patterns(d);
  emit_malware_tools(d);
  emit_actors(d);
  emit_observables(d);
  emit_observed_data(d);
  emit_indicators(d);
  emit_relationships(d);
  emit_sightings(d);
  int first_analysis = (int)d->n;
  emit_notes(d);
  emit_opinions(d);
  emit_reports(d, first_analysis);
  emit_updates(d);

  rc = d->rc;
  if (rc)
    goto out;
  rc = acc_gen_out_end(&d->out);
  if (rc)
    goto out;
  if (n_objects)
    *n_objects = d->out.n;
out:
  json_decref(d->v_camp);
  json_decref(d->v_is);
  json_decref(d->v_ta);
  json_decref(d->v_report);
  json_decref(d->v_ind_c2);
  json_decref(d->v_ind_shared);
  free(d);
  return rc;
}
