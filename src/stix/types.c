/*
 * types.c — the STIX 2.1 type catalogue as data: every type of §4-§7 with
 * its specific properties, nested types, predefined extensions and (for
 * SCOs) ID-contributing properties.  Read from the property tables of the
 * specification (STIX 2.1 Errata 01); where 2.0 required more (labels on
 * indicators, malware, reports, threat actors and tools; identity_class;
 * observed-data objects; marking definition_type and definition), the
 * property carries ACC_PF_REQ20.  Lookups are a binary search over the
 * sorted type table.
 */
#include "stix/types.h"

#include <stdlib.h>
#include <string.h>

/* Table-writing shorthands: N name, F extra ACC_PF_* flags. */
#define P_(N, K, F)                                                            \
  { .name = (N), .kind = (K), .flags = (F) }
#define STR(N, F) P_(N, ACC_PK_STRING, F)
#define STRS(N, F) P_(N, ACC_PK_STRING, ACC_PF_LIST | (F))
#define TS(N, F) P_(N, ACC_PK_TIMESTAMP, F)
#define BOOL(N) P_(N, ACC_PK_BOOLEAN, 0)
#define INT(N, F) P_(N, ACC_PK_INTEGER, F)
#define FLT(N) P_(N, ACC_PK_FLOAT, 0)
#define HEX(N, F) P_(N, ACC_PK_HEX, F)
#define BIN(N) P_(N, ACC_PK_BINARY, 0)
#define DICT(N) P_(N, ACC_PK_DICT, 0)
#define HASH(N) P_(N, ACC_PK_HASHES, 0)
#define RANGE(N, LO, HI, F)                                                    \
  {                                                                            \
    .name = (N), .kind = ACC_PK_INTEGER, .flags = ACC_PF_RANGE | (F),          \
    .min = (LO), .max = (HI)                                                   \
  }
#define NONNEG(N) RANGE(N, 0, INT64_C(9007199254740991), 0)
#define REF(N, T, F)                                                           \
  { .name = (N), .kind = ACC_PK_ID, .flags = (F), .targets = T }
#define REFS(N, T, F)                                                          \
  { .name = (N), .kind = ACC_PK_ID, .flags = ACC_PF_LIST | (F), .targets = T }
#define ENUM(N, V, F)                                                          \
  { .name = (N), .kind = ACC_PK_ENUM, .flags = (F), .vals = V }
#define SUB(N, S, F)                                                           \
  { .name = (N), .kind = ACC_PK_STRUCT, .flags = (F), .sub = &S }
#define SUBS(N, S, F)                                                          \
  { .name = (N), .kind = ACC_PK_STRUCT, .flags = ACC_PF_LIST | (F), .sub = &S }
#define KCP(N) SUBS(N, acc_stix_kcp, 0)
#define STRUCT(N, A, FL, CK)                                                   \
  {                                                                            \
    .name = (N), .props = (A), .nprops = sizeof(A) / sizeof(A)[0],             \
    .flags = (FL), .check = (CK)                                               \
  }

/* Identifier targets used more than once. */
#define T_ADDR "ipv4-addr ipv6-addr mac-addr domain-name"

/* ---- enumerations (§10) ------------------------------------------------ */

const char *const acc_stix_ext_types[] = {
    "new-sdo",
    "new-sco",
    "new-sro",
    "property-extension",
    "toplevel-property-extension",
    NULL,
};
static const char *const opinion_enum[] = {
    "strongly-disagree", "disagree", "neutral", "agree", "strongly-agree", NULL,
};
static const char *const encryption_enum[] = {
    "AES-256-GCM",
    "ChaCha20-Poly1305",
    "mime-type-indicated",
    NULL,
};
static const char *const af_enum[] = {
    "AF_UNSPEC", "AF_INET", "AF_IPX", "AF_APPLETALK", "AF_NETBIOS",
    "AF_INET6",  "AF_IRDA", "AF_BTH", NULL,
};
/* The summary row of §10.17 lists "AF_ISOCK_DGRAMNET"; the value table
 * (normative) has SOCK_DGRAM. */
static const char *const socktype_enum[] = {
    "SOCK_STREAM", "SOCK_DGRAM", "SOCK_RAW", "SOCK_RDM", "SOCK_SEQPACKET", NULL,
};
static const char *const integrity_enum[] = {
    "low", "medium", "high", "system", NULL,
};
static const char *const regtype_enum[] = {
    "REG_NONE",
    "REG_SZ",
    "REG_EXPAND_SZ",
    "REG_BINARY",
    "REG_DWORD",
    "REG_DWORD_BIG_ENDIAN",
    "REG_DWORD_LITTLE_ENDIAN",
    "REG_LINK",
    "REG_MULTI_SZ",
    "REG_RESOURCE_LIST",
    "REG_FULL_RESOURCE_DESCRIPTION",
    "REG_RESOURCE_REQUIREMENTS_LIST",
    "REG_QWORD",
    "REG_INVALID_TYPE",
    NULL,
};
static const char *const start_enum[] = {
    "SERVICE_AUTO_START", "SERVICE_BOOT_START",   "SERVICE_DEMAND_START",
    "SERVICE_DISABLED",   "SERVICE_SYSTEM_ALERT", NULL,
};
static const char *const svctype_enum[] = {
    "SERVICE_KERNEL_DRIVER",
    "SERVICE_FILE_SYSTEM_DRIVER",
    "SERVICE_WIN32_OWN_PROCESS",
    "SERVICE_WIN32_SHARE_PROCESS",
    NULL,
};
static const char *const status_enum[] = {
    "SERVICE_CONTINUE_PENDING", "SERVICE_PAUSE_PENDING",
    "SERVICE_PAUSED",           "SERVICE_RUNNING",
    "SERVICE_START_PENDING",    "SERVICE_STOP_PENDING",
    "SERVICE_STOPPED",          NULL,
};

/* ---- shared nested types (§2.5, §2.11, §7.2.3) ------------------------- */

static const acc_prop extref_p[] = {
    STR("source_name", ACC_PF_REQ),
    STR("description", 0),
    STR("url", 0),
    HASH("hashes"),
    STR("external_id", 0),
};
const acc_struct acc_stix_extref =
    STRUCT("external-reference", extref_p, 0, ACC_CK_EXTREF);

static const acc_prop kcp_p[] = {
    STR("kill_chain_name", ACC_PF_REQ),
    STR("phase_name", ACC_PF_REQ),
};
const acc_struct acc_stix_kcp = STRUCT("kill-chain-phase", kcp_p, 0, 0);

static const acc_prop granular_p[] = {
    STR("lang", 0),
    REF("marking_ref", "marking-definition", 0),
    STRS("selectors", ACC_PF_REQ),
};
const acc_struct acc_stix_granular =
    STRUCT("granular-marking", granular_p, 0, ACC_CK_GRANULAR);

/* ---- SDOs (§4) --------------------------------------------------------- */

static const acc_prop attack_pattern_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
    STRS("aliases", 0),
    KCP("kill_chain_phases"),
};

static const acc_prop campaign_p[] = {
    STR("name", ACC_PF_REQ), STR("description", 0), STRS("aliases", 0),
    TS("first_seen", 0),     TS("last_seen", 0),    STR("objective", 0),
};

static const acc_prop course_of_action_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
};

static const acc_prop grouping_p[] = {
    STR("name", ACC_PF_REQ21),
    STR("description", 0),
    STR("context", ACC_PF_REQ21),
    REFS("object_refs", "@stix", ACC_PF_REQ21),
};

static const acc_prop identity_p[] = {
    STR("name", ACC_PF_REQ), STR("description", 0),
    STRS("roles", 0),        STR("identity_class", ACC_PF_REQ20),
    STRS("sectors", 0),      STR("contact_information", 0),
};

static const acc_prop incident_p[] = {
    STR("name", ACC_PF_REQ21),
    STR("description", 0),
};

static const acc_prop indicator_p[] = {
    STR("name", 0),
    STR("description", 0),
    STRS("indicator_types", 0),
    STR("pattern", ACC_PF_REQ),
    STR("pattern_type", ACC_PF_REQ21),
    STR("pattern_version", 0),
    TS("valid_from", ACC_PF_REQ),
    TS("valid_until", 0),
    KCP("kill_chain_phases"),
};

static const acc_prop infrastructure_p[] = {
    STR("name", ACC_PF_REQ21),
    STR("description", 0),
    STRS("infrastructure_types", 0),
    STRS("aliases", 0),
    KCP("kill_chain_phases"),
    TS("first_seen", 0),
    TS("last_seen", 0),
};

static const acc_prop intrusion_set_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
    STRS("aliases", 0),
    TS("first_seen", 0),
    TS("last_seen", 0),
    STRS("goals", 0),
    STR("resource_level", 0),
    STR("primary_motivation", 0),
    STRS("secondary_motivations", 0),
};

static const acc_prop location_p[] = {
    STR("name", 0),        STR("description", 0),
    FLT("latitude"),       FLT("longitude"),
    FLT("precision"),      STR("region", 0),
    STR("country", 0),     STR("administrative_area", 0),
    STR("city", 0),        STR("street_address", 0),
    STR("postal_code", 0),
};

/* name and is_family are optional in the 2.1 property table (a family
 * MUST have a name: ACC_CK_MALWARE); 2.0 required name (and labels). */
static const acc_prop malware_p[] = {
    STR("name", ACC_PF_REQ20),
    STR("description", 0),
    STRS("malware_types", 0),
    BOOL("is_family"),
    STRS("aliases", 0),
    KCP("kill_chain_phases"),
    TS("first_seen", 0),
    TS("last_seen", 0),
    REFS("operating_system_refs", "software", 0),
    STRS("architecture_execution_envs", 0),
    STRS("implementation_languages", 0),
    STRS("capabilities", 0),
    REFS("sample_refs", "file artifact", 0),
};

static const acc_prop malware_analysis_p[] = {
    STR("product", ACC_PF_REQ21),
    STR("version", 0),
    REF("host_vm_ref", "software", 0),
    REF("operating_system_ref", "software", 0),
    REFS("installed_software_refs", "software", 0),
    STR("configuration_version", 0),
    STRS("modules", 0),
    STR("analysis_engine_version", 0),
    STR("analysis_definition_version", 0),
    TS("submitted", 0),
    TS("analysis_started", 0),
    TS("analysis_ended", 0),
    STR("result_name", 0),
    STR("result", 0),
    REFS("analysis_sco_refs", "@sco", 0),
    REF("sample_ref", "file network-traffic artifact", 0),
};

static const acc_prop note_p[] = {
    STR("abstract", 0),
    STR("content", ACC_PF_REQ21),
    STRS("authors", 0),
    REFS("object_refs", "@stix", ACC_PF_REQ21),
};

/* 2.1: "either the objects property or the object_refs property MUST be
 * provided, but both MUST NOT be present" (ACC_CK_OBSERVED); 2.0 had only
 * objects. */
static const acc_prop observed_data_p[] = {
    TS("first_observed", ACC_PF_REQ),
    TS("last_observed", ACC_PF_REQ),
    RANGE("number_observed", 1, 999999999, ACC_PF_REQ),
    P_("objects", ACC_PK_CONTAINER, ACC_PF_REQ20),
    REFS("object_refs", "@sco @sro", 0),
};

static const acc_prop opinion_p[] = {
    STR("explanation", 0),
    STRS("authors", 0),
    ENUM("opinion", opinion_enum, ACC_PF_REQ21),
    REFS("object_refs", "@stix", ACC_PF_REQ21),
};

static const acc_prop report_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
    STRS("report_types", 0),
    TS("published", ACC_PF_REQ),
    REFS("object_refs", "@stix", ACC_PF_REQ),
};

static const acc_prop threat_actor_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
    STRS("threat_actor_types", 0),
    STRS("aliases", 0),
    TS("first_seen", 0),
    TS("last_seen", 0),
    STRS("roles", 0),
    STRS("goals", 0),
    STR("sophistication", 0),
    STR("resource_level", 0),
    STR("primary_motivation", 0),
    STRS("secondary_motivations", 0),
    STRS("personal_motivations", 0),
};

static const acc_prop tool_p[] = {
    STR("name", ACC_PF_REQ), STR("description", 0),    STRS("tool_types", 0),
    STRS("aliases", 0),      KCP("kill_chain_phases"), STR("tool_version", 0),
};

static const acc_prop vulnerability_p[] = {
    STR("name", ACC_PF_REQ),
    STR("description", 0),
};

/* ---- SROs (§5) --------------------------------------------------------- */

static const acc_prop relationship_p[] = {
    STR("relationship_type", ACC_PF_REQ),
    STR("description", 0),
    REF("source_ref", "@sdo @sco", ACC_PF_REQ),
    REF("target_ref", "@sdo @sco", ACC_PF_REQ),
    TS("start_time", 0),
    TS("stop_time", 0),
};

/* where_sighted_refs: the property table allows Identity or Location
 * (the embedded-relationship summary lists only identity). */
static const acc_prop sighting_p[] = {
    STR("description", 0),
    TS("first_seen", 0),
    TS("last_seen", 0),
    RANGE("count", 0, 999999999, 0),
    REF("sighting_of_ref", "@sdo", ACC_PF_REQ),
    REFS("observed_data_refs", "observed-data", 0),
    REFS("where_sighted_refs", "identity location", 0),
    BOOL("summary"),
};

/* ---- SCOs (§6) and their nested types and extensions ------------------- */

static const acc_prop artifact_p[] = {
    STR("mime_type", 0),
    BIN("payload_bin"),
    STR("url", 0),
    HASH("hashes"),
    ENUM("encryption_algorithm", encryption_enum, 0),
    STR("decryption_key", 0),
};
static const char *const artifact_id[] = {
    "hashes",
    "payload_bin",
    NULL,
};

static const acc_prop as_p[] = {
    INT("number", ACC_PF_REQ),
    STR("name", 0),
    STR("rir", 0),
};
static const char *const as_id[] = {
    "number",
    NULL,
};

static const acc_prop directory_p[] = {
    STR("path", ACC_PF_REQ), STR("path_enc", 0),
    TS("ctime", 0),          TS("mtime", 0),
    TS("atime", 0),          REFS("contains_refs", "file directory", 0),
};
static const char *const directory_id[] = {
    "path",
    NULL,
};

static const acc_prop domain_name_p[] = {
    STR("value", ACC_PF_REQ),
    REFS("resolves_to_refs", "ipv4-addr ipv6-addr domain-name", 0),
};
static const char *const value_id[] = {
    "value",
    NULL,
};

static const acc_prop email_addr_p[] = {
    STR("value", ACC_PF_REQ),
    STR("display_name", 0),
    REF("belongs_to_ref", "user-account", 0),
};

static const acc_prop mime_part_p[] = {
    STR("body", 0),
    REF("body_raw_ref", "artifact file", 0),
    STR("content_type", 0),
    STR("content_disposition", 0),
};
static const acc_struct mime_part =
    STRUCT("email-mime-part-type", mime_part_p, 0, ACC_CK_MIMEPART);

static const acc_prop email_message_p[] = {
    P_("is_multipart", ACC_PK_BOOLEAN, ACC_PF_REQ),
    TS("date", 0),
    STR("content_type", 0),
    REF("from_ref", "email-addr", 0),
    REF("sender_ref", "email-addr", 0),
    REFS("to_refs", "email-addr", 0),
    REFS("cc_refs", "email-addr", 0),
    REFS("bcc_refs", "email-addr", 0),
    STR("message_id", 0),
    STR("subject", 0),
    STRS("received_lines", 0),
    DICT("additional_header_fields"),
    STR("body", 0),
    SUBS("body_multipart", mime_part, 0),
    REF("raw_email_ref", "artifact", 0),
};
static const char *const email_message_id[] = {
    "body",
    "from_ref",
    "subject",
    NULL,
};

static const acc_prop archive_ext_p[] = {
    REFS("contains_refs", "file directory", ACC_PF_REQ),
    STR("comment", 0),
};
static const acc_struct archive_ext =
    STRUCT("archive-ext", archive_ext_p, 0, 0);

static const acc_prop ads_p[] = {
    STR("name", ACC_PF_REQ),
    HASH("hashes"),
    NONNEG("size"),
};
static const acc_struct ads = STRUCT("alternate-data-stream-type", ads_p, 0, 0);

static const acc_prop ntfs_ext_p[] = {
    STR("sid", 0),
    SUBS("alternate_data_streams", ads, 0),
};
static const acc_struct ntfs_ext =
    STRUCT("ntfs-ext", ntfs_ext_p, ACC_SF_ANY1, 0);

static const acc_prop pdf_ext_p[] = {
    STR("version", 0), BOOL("is_optimized"), DICT("document_info_dict"),
    STR("pdfid0", 0),  STR("pdfid1", 0),
};
static const acc_struct pdf_ext = STRUCT("pdf-ext", pdf_ext_p, ACC_SF_ANY1, 0);

static const acc_prop raster_ext_p[] = {
    INT("image_height", 0),
    INT("image_width", 0),
    INT("bits_per_pixel", 0),
    DICT("exif_tags"),
};
static const acc_struct raster_ext =
    STRUCT("raster-image-ext", raster_ext_p, ACC_SF_ANY1, 0);

static const acc_prop pe_opt_p[] = {
    HEX("magic_hex", 0),
    INT("major_linker_version", 0),
    INT("minor_linker_version", 0),
    NONNEG("size_of_code"),
    NONNEG("size_of_initialized_data"),
    NONNEG("size_of_uninitialized_data"),
    INT("address_of_entry_point", 0),
    INT("base_of_code", 0),
    INT("base_of_data", 0),
    INT("image_base", 0),
    INT("section_alignment", 0),
    INT("file_alignment", 0),
    INT("major_os_version", 0),
    INT("minor_os_version", 0),
    INT("major_image_version", 0),
    INT("minor_image_version", 0),
    INT("major_subsystem_version", 0),
    INT("minor_subsystem_version", 0),
    HEX("win32_version_value_hex", 0),
    NONNEG("size_of_image"),
    NONNEG("size_of_headers"),
    HEX("checksum_hex", 0),
    HEX("subsystem_hex", 0),
    HEX("dll_characteristics_hex", 0),
    NONNEG("size_of_stack_reserve"),
    NONNEG("size_of_stack_commit"),
    NONNEG("size_of_heap_reserve"),
    NONNEG("size_of_heap_commit"),
    HEX("loader_flags_hex", 0),
    INT("number_of_rva_and_sizes", 0),
    HASH("hashes"),
};
static const acc_struct pe_opt =
    STRUCT("windows-pe-optional-header-type", pe_opt_p, ACC_SF_ANY1, 0);

static const acc_prop pe_section_p[] = {
    STR("name", ACC_PF_REQ),
    NONNEG("size"),
    FLT("entropy"),
    HASH("hashes"),
};
static const acc_struct pe_section =
    STRUCT("windows-pe-section-type", pe_section_p, 0, 0);

static const acc_prop pe_ext_p[] = {
    STR("pe_type", ACC_PF_REQ),
    STR("imphash", 0),
    HEX("machine_hex", 0),
    NONNEG("number_of_sections"),
    TS("time_date_stamp", 0),
    HEX("pointer_to_symbol_table_hex", 0),
    NONNEG("number_of_symbols"),
    NONNEG("size_of_optional_header"),
    HEX("characteristics_hex", 0),
    HASH("file_header_hashes"),
    SUB("optional_header", pe_opt, 0),
    SUBS("sections", pe_section, 0),
};
static const acc_struct pe_ext =
    STRUCT("windows-pebinary-ext", pe_ext_p, 0, ACC_CK_PEBINARY);

static const acc_struct *const file_exts[] = {
    &archive_ext, &ntfs_ext, &pdf_ext, &raster_ext, &pe_ext, NULL,
};

static const acc_prop file_p[] = {
    HASH("hashes"),
    NONNEG("size"),
    STR("name", 0),
    STR("name_enc", 0),
    HEX("magic_number_hex", 0),
    STR("mime_type", 0),
    TS("ctime", 0),
    TS("mtime", 0),
    TS("atime", 0),
    REF("parent_directory_ref", "directory", 0),
    REFS("contains_refs", "@sco", 0),
    REF("content_ref", "artifact", 0),
};
static const char *const file_id[] = {
    "extensions", "hashes", "name", "parent_directory_ref", NULL,
};

static const acc_prop ipv4_p[] = {
    STR("value", ACC_PF_REQ),
    REFS("resolves_to_refs", "mac-addr", 0),
    REFS("belongs_to_refs", "autonomous-system", 0),
};
#define ipv6_p ipv4_p

static const acc_prop mac_p[] = {
    P_("value", ACC_PK_MAC, ACC_PF_REQ),
};

static const acc_prop mutex_p[] = {
    STR("name", ACC_PF_REQ),
};
static const char *const name_id[] = {
    "name",
    NULL,
};

static const acc_prop http_ext_p[] = {
    STR("request_method", ACC_PF_REQ),
    STR("request_value", ACC_PF_REQ),
    STR("request_version", 0),
    DICT("request_header"),
    INT("message_body_length", 0),
    REF("message_body_data_ref", "artifact", 0),
};
static const acc_struct http_ext = STRUCT("http-request-ext", http_ext_p, 0, 0);

static const acc_prop icmp_ext_p[] = {
    HEX("icmp_type_hex", ACC_PF_REQ),
    HEX("icmp_code_hex", ACC_PF_REQ),
};
static const acc_struct icmp_ext = STRUCT("icmp-ext", icmp_ext_p, 0, 0);

static const acc_prop socket_ext_p[] = {
    ENUM("address_family", af_enum, ACC_PF_REQ),
    BOOL("is_blocking"),
    BOOL("is_listening"),
    DICT("options"),
    ENUM("socket_type", socktype_enum, 0),
    NONNEG("socket_descriptor"),
    INT("socket_handle", 0),
};
static const acc_struct socket_ext = STRUCT("socket-ext", socket_ext_p, 0, 0);

static const acc_prop tcp_ext_p[] = {
    HEX("src_flags_hex", 0),
    HEX("dst_flags_hex", 0),
};
static const acc_struct tcp_ext = STRUCT("tcp-ext", tcp_ext_p, ACC_SF_ANY1, 0);

static const acc_struct *const traffic_exts[] = {
    &http_ext, &icmp_ext, &socket_ext, &tcp_ext, NULL,
};

/* Byte and packet counts are "positive integers" in the prose; zero is
 * accepted (an unanswered flow has sent nothing back). */
static const acc_prop traffic_p[] = {
    TS("start", 0),
    TS("end", 0),
    BOOL("is_active"),
    REF("src_ref", T_ADDR, 0),
    REF("dst_ref", T_ADDR, 0),
    RANGE("src_port", 0, 65535, 0),
    RANGE("dst_port", 0, 65535, 0),
    STRS("protocols", ACC_PF_REQ),
    NONNEG("src_byte_count"),
    NONNEG("dst_byte_count"),
    NONNEG("src_packets"),
    NONNEG("dst_packets"),
    DICT("ipfix"),
    REF("src_payload_ref", "artifact", 0),
    REF("dst_payload_ref", "artifact", 0),
    REFS("encapsulates_refs", "network-traffic", 0),
    REF("encapsulated_by_ref", "network-traffic", 0),
};
static const char *const traffic_id[] = {
    "dst_port", "dst_ref", "end",   "extensions", "protocols",
    "src_port", "src_ref", "start", NULL,
};

/* The Errata spells the window title property "windows_title"; STIX 2.1
 * as published spelled it "window_title".  Both are type-checked. */
static const acc_prop winproc_ext_p[] = {
    BOOL("aslr_enabled"),   BOOL("dep_enabled"),
    STR("priority", 0),     STR("owner_sid", 0),
    STR("window_title", 0), STR("windows_title", 0),
    DICT("startup_info"),   ENUM("integrity_level", integrity_enum, 0),
};
static const acc_struct winproc_ext =
    STRUCT("windows-process-ext", winproc_ext_p, ACC_SF_ANY1, 0);

static const acc_prop winsvc_ext_p[] = {
    STR("service_name", 0),
    STRS("descriptions", 0),
    STR("display_name", 0),
    STR("group_name", 0),
    ENUM("start_type", start_enum, 0),
    REFS("service_dll_refs", "file", 0),
    ENUM("service_type", svctype_enum, 0),
    ENUM("service_status", status_enum, 0),
};
static const acc_struct winsvc_ext =
    STRUCT("windows-service-ext", winsvc_ext_p, ACC_SF_ANY1, 0);

static const acc_struct *const process_exts[] = {
    &winproc_ext,
    &winsvc_ext,
    NULL,
};

static const acc_prop process_p[] = {
    BOOL("is_hidden"),
    INT("pid", 0),
    TS("created_time", 0),
    STR("cwd", 0),
    STR("command_line", 0),
    DICT("environment_variables"),
    REFS("opened_connection_refs", "network-traffic", 0),
    REF("creator_user_ref", "user-account", 0),
    REF("image_ref", "file", 0),
    REF("parent_ref", "process", 0),
    REFS("child_refs", "process", 0),
};

static const acc_prop software_p[] = {
    STR("name", ACC_PF_REQ), STR("cpe", 0),    STR("swid", 0),
    STRS("languages", 0),    STR("vendor", 0), STR("version", 0),
};
static const char *const software_id[] = {
    "cpe", "name", "swid", "vendor", "version", NULL,
};

static const acc_prop url_p[] = {
    STR("value", ACC_PF_REQ),
};

static const acc_prop unix_ext_p[] = {
    INT("gid", 0),
    STRS("groups", 0),
    STR("home_dir", 0),
    STR("shell", 0),
};
static const acc_struct unix_ext =
    STRUCT("unix-account-ext", unix_ext_p, ACC_SF_ANY1, 0);
static const acc_struct *const account_exts[] = {
    &unix_ext,
    NULL,
};

static const acc_prop account_p[] = {
    STR("user_id", 0),
    STR("credential", 0),
    STR("account_login", 0),
    STR("account_type", 0),
    STR("display_name", 0),
    BOOL("is_service_account"),
    BOOL("is_privileged"),
    BOOL("can_escalate_privs"),
    BOOL("is_disabled"),
    TS("account_created", 0),
    TS("account_expires", 0),
    TS("credential_last_changed", 0),
    TS("account_first_login", 0),
    TS("account_last_login", 0),
};
static const char *const account_id[] = {
    "account_login",
    "account_type",
    "user_id",
    NULL,
};

static const acc_prop regval_p[] = {
    STR("name", 0),
    STR("data", 0),
    ENUM("data_type", regtype_enum, 0),
};
static const acc_struct regval =
    STRUCT("windows-registry-value-type", regval_p, ACC_SF_ANY1, 0);

static const acc_prop regkey_p[] = {
    STR("key", 0),
    SUBS("values", regval, 0),
    TS("modified_time", 0),
    REF("creator_user_ref", "user-account", 0),
    INT("number_of_subkeys", 0),
};
static const char *const regkey_id[] = {
    "key",
    "values",
    NULL,
};

static const acc_prop x509v3_p[] = {
    STR("basic_constraints", 0),
    STR("name_constraints", 0),
    STR("policy_constraints", 0),
    STR("key_usage", 0),
    STR("extended_key_usage", 0),
    STR("subject_key_identifier", 0),
    STR("authority_key_identifier", 0),
    STR("subject_alternative_name", 0),
    STR("issuer_alternative_name", 0),
    STR("subject_directory_attributes", 0),
    STR("crl_distribution_points", 0),
    STR("inhibit_any_policy", 0),
    TS("private_key_usage_period_not_before", 0),
    TS("private_key_usage_period_not_after", 0),
    STR("certificate_policies", 0),
    STR("policy_mappings", 0),
};
static const acc_struct x509v3 =
    STRUCT("x509-v3-extensions-type", x509v3_p, ACC_SF_ANY1, 0);

static const acc_prop x509_p[] = {
    BOOL("is_self_signed"),
    HASH("hashes"),
    STR("version", 0),
    STR("serial_number", 0),
    STR("signature_algorithm", 0),
    STR("issuer", 0),
    TS("validity_not_before", 0),
    TS("validity_not_after", 0),
    STR("subject", 0),
    STR("subject_public_key_algorithm", 0),
    STR("subject_public_key_modulus", 0),
    INT("subject_public_key_exponent", 0),
    SUB("x509_v3_extensions", x509v3, 0),
};
static const char *const x509_id[] = {
    "hashes",
    "serial_number",
    NULL,
};

/* ---- meta objects (§7) ------------------------------------------------- */

static const acc_prop language_content_p[] = {
    REF("object_ref", "@stix", ACC_PF_REQ21),
    TS("object_modified", 0),
    P_("contents", ACC_PK_LANGCONTENT, ACC_PF_REQ21),
};

/* definition_type and definition are required unless extensions is
 * present (2.1, ACC_CK_MARKING), always in 2.0. */
static const acc_prop marking_p[] = {
    STR("name", 0),
    STR("definition_type", ACC_PF_REQ20),
    P_("definition", ACC_PK_OBJECT, ACC_PF_REQ20),
};

static const acc_prop extdef_p[] = {
    STR("name", ACC_PF_REQ21),
    STR("description", 0),
    STR("schema", ACC_PF_REQ21),
    STR("version", ACC_PF_REQ21),
    ENUM("extension_types", acc_stix_ext_types, ACC_PF_LIST | ACC_PF_REQ21),
    STRS("extension_properties", 0),
};

/* ---- the catalogue, sorted by name ------------------------------------- */

#define SDO(N, A, CK)                                                          \
  { N, ACC_KIND_SDO, 0, STRUCT(N, A, 0, CK), NULL, NULL }
#define SDO_L(N, A, CK)                                                        \
  { N, ACC_KIND_SDO, ACC_TF_LABELS20, STRUCT(N, A, 0, CK), NULL, NULL }
#define SDO21(N, A, CK)                                                        \
  { N, ACC_KIND_SDO, ACC_TF_NEW21, STRUCT(N, A, 0, CK), NULL, NULL }
#define SCO(N, A, FL, CK, ID, EX)                                              \
  { N, ACC_KIND_SCO, 0, STRUCT(N, A, FL, CK), ID, EX }

static const acc_type types[] = {
    SCO("artifact", artifact_p, 0, ACC_CK_ARTIFACT, artifact_id, NULL),
    SDO("attack-pattern", attack_pattern_p, 0),
    SCO("autonomous-system", as_p, 0, 0, as_id, NULL),
    SDO("campaign", campaign_p, ACC_CK_SEEN),
    SDO("course-of-action", course_of_action_p, 0),
    SCO("directory", directory_p, 0, 0, directory_id, NULL),
    SCO("domain-name", domain_name_p, 0, 0, value_id, NULL),
    SCO("email-addr", email_addr_p, 0, 0, value_id, NULL),
    SCO("email-message", email_message_p, 0, ACC_CK_EMAIL, email_message_id,
        NULL),
    {"extension-definition", ACC_KIND_META, ACC_TF_NEW21,
     STRUCT("extension-definition", extdef_p, 0, ACC_CK_EXTDEF), NULL, NULL},
    SCO("file", file_p, 0, ACC_CK_FILE, file_id, file_exts),
    SDO21("grouping", grouping_p, 0),
    SDO("identity", identity_p, 0),
    SDO21("incident", incident_p, 0),
    SDO_L("indicator", indicator_p, ACC_CK_INDICATOR),
    SDO21("infrastructure", infrastructure_p, ACC_CK_SEEN),
    SDO("intrusion-set", intrusion_set_p, ACC_CK_SEEN),
    SCO("ipv4-addr", ipv4_p, 0, 0, value_id, NULL),
    SCO("ipv6-addr", ipv6_p, 0, 0, value_id, NULL),
    {"language-content", ACC_KIND_META, ACC_TF_NEW21,
     STRUCT("language-content", language_content_p, 0, 0), NULL, NULL},
    SDO21("location", location_p, ACC_CK_LOCATION),
    SCO("mac-addr", mac_p, 0, 0, value_id, NULL),
    SDO_L("malware", malware_p, ACC_CK_MALWARE),
    SDO21("malware-analysis", malware_analysis_p, ACC_CK_MALANALYSIS),
    {"marking-definition", ACC_KIND_META, 0,
     STRUCT("marking-definition", marking_p, 0, ACC_CK_MARKING), NULL, NULL},
    SCO("mutex", mutex_p, 0, 0, name_id, NULL),
    SCO("network-traffic", traffic_p, 0, ACC_CK_NETTRAFFIC, traffic_id,
        traffic_exts),
    SDO21("note", note_p, 0),
    SDO("observed-data", observed_data_p, ACC_CK_OBSERVED),
    SDO21("opinion", opinion_p, 0),
    SCO("process", process_p, ACC_SF_ANY1, 0, NULL, process_exts),
    {"relationship", ACC_KIND_SRO, 0,
     STRUCT("relationship", relationship_p, 0, ACC_CK_RELATIONSHIP), NULL,
     NULL},
    SDO_L("report", report_p, 0),
    {"sighting", ACC_KIND_SRO, 0,
     STRUCT("sighting", sighting_p, 0, ACC_CK_SEEN), NULL, NULL},
    SCO("software", software_p, 0, 0, software_id, NULL),
    SDO_L("threat-actor", threat_actor_p, ACC_CK_SEEN),
    SDO_L("tool", tool_p, 0),
    SCO("url", url_p, 0, 0, value_id, NULL),
    SCO("user-account", account_p, ACC_SF_ANY1, 0, account_id, account_exts),
    SDO("vulnerability", vulnerability_p, 0),
    SCO("windows-registry-key", regkey_p, ACC_SF_ANY1, 0, regkey_id, NULL),
    SCO("x509-certificate", x509_p, ACC_SF_ANY1, 0, x509_id, NULL),
};

static int type_cmp(const void *key, const void *elem) {
  return strcmp((const char *)key, ((const acc_type *)elem)->name);
}

const acc_type *acc_stix_type_find(const char *name) {
  return bsearch(name, types, sizeof types / sizeof types[0], sizeof types[0],
                 type_cmp);
}

const acc_type *acc_stix_type_table(size_t *n) {
  *n = sizeof types / sizeof types[0];
  return types;
}
