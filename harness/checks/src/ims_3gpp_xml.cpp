#include "ims_3gpp_xml.hpp"

#include "ims_3gpp_xsd.hpp" // generated at build time from schemas/ims-3gpp.xsd

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <climits>
#include <memory>

namespace sipwright::checks::detail {
namespace {

#if LIBXML_VERSION >= 21200
using error_ptr = const xmlError*;
#else
using error_ptr = xmlErrorPtr;
#endif

// The first error libxml2 reports, with its line.
struct first_error {
  std::string text;
  bool seen = false;
  void take(error_ptr e) {
    if (seen || !e || e->level < XML_ERR_ERROR) return;
    seen = true;
    std::string_view m = e->message ? e->message : "unknown error";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.remove_suffix(1);
    text = e->line > 0 ? fmt::format("line {}: {}", e->line, m) : std::string(m);
  }
};

void collect(void* ctx, error_ptr e) {
  static_cast<first_error*>(ctx)->take(e);
}
void ignore_generic(void*, const char*, ...) {}

// Routes this thread's libxml2 errors to `sink` while it lives (libxml2 keeps its error
// handlers per thread), so nothing is printed to stderr.
class error_scope {
public:
  explicit error_scope(first_error& sink)
      : structured_(xmlStructuredError), structured_ctx_(xmlStructuredErrorContext),
        generic_(xmlGenericError), generic_ctx_(xmlGenericErrorContext) {
    xmlSetStructuredErrorFunc(&sink, collect);
    xmlSetGenericErrorFunc(nullptr, ignore_generic);
  }
  ~error_scope() {
    xmlSetStructuredErrorFunc(structured_ctx_, structured_);
    xmlSetGenericErrorFunc(generic_ctx_, generic_);
  }
  error_scope(const error_scope&) = delete;
  error_scope& operator=(const error_scope&) = delete;

private:
  xmlStructuredErrorFunc structured_;
  void* structured_ctx_;
  xmlGenericErrorFunc generic_;
  void* generic_ctx_;
};

struct doc_free {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct parser_free {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};
struct xml_free {
  void operator()(xmlChar* p) const { xmlFree(p); }
};
struct valid_free {
  void operator()(xmlSchemaValidCtxt* c) const { xmlSchemaFreeValidCtxt(c); }
};

// The embedded schema, parsed once (a function-local static: thread-safe initialisation). A
// parsed xmlSchema is only read by validation, so threads share it.
class schema_holder {
public:
  schema_holder() {
    xmlInitParser();
    error_scope scope(error_);
    const auto text = ims_3gpp_schema();
    xmlSchemaParserCtxt* p = xmlSchemaNewMemParserCtxt(text.data(), static_cast<int>(text.size()));
    if (!p) return;
    xmlSchemaSetParserStructuredErrors(p, collect, &error_);
    schema_ = xmlSchemaParse(p);
    xmlSchemaFreeParserCtxt(p);
  }
  ~schema_holder() {
    if (schema_) xmlSchemaFree(schema_);
  }
  schema_holder(const schema_holder&) = delete;
  schema_holder& operator=(const schema_holder&) = delete;
  xmlSchema* get() const { return schema_; }
  const std::string& error() const { return error_.text; }

private:
  first_error error_;
  xmlSchema* schema_ = nullptr;
};

const schema_holder& schema() {
  static const schema_holder holder;
  return holder;
}

bool has_entity_reference(const xmlNode* n) {
  for (; n; n = n->next) {
    if (n->type == XML_ENTITY_REF_NODE) return true;
    if (n->type == XML_ELEMENT_NODE && has_entity_reference(n->children)) return true;
  }
  return false;
}

bool named(const xmlNode* n, std::string_view name) {
  return n->type == XML_ELEMENT_NODE && n->ns == nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->name)) == name;
}

std::string trimmed_text(const xmlNode* n) {
  std::unique_ptr<xmlChar, xml_free> raw(xmlNodeGetContent(n));
  std::string_view s = raw ? reinterpret_cast<const char*>(raw.get()) : "";
  constexpr std::string_view space = " \t\r\n"; // XML white space (XML 1.0 2.3, S)
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(space) - first + 1));
}

} // namespace

std::string_view ims_3gpp_schema() {
  return embedded::ims_3gpp_xsd;
}

ims_3gpp_result check_ims_3gpp(std::string_view body) {
  using v = ims_3gpp_result::verdict;
  ims_3gpp_result out;
  const auto& s = schema();
  if (!s.get()) {
    out.outcome = v::schema_error;
    out.error = s.error();
    return out;
  }
  if (body.size() > max_ims_body) {
    out.outcome = v::unchecked;
    out.error = fmt::format("a body of {} bytes exceeds the {}-byte limit of the XML check",
                            body.size(), max_ims_body);
    return out;
  }
  first_error err;
  error_scope scope(err);
  std::unique_ptr<xmlParserCtxt, parser_free> ctxt(xmlNewParserCtxt());
  if (!ctxt) {
    out.outcome = v::unchecked;
    out.error = "libxml2 could not allocate a parser";
    return out;
  }
  // No XML_PARSE_NOENT (entities stay references), no XML_PARSE_DTDLOAD / DTDATTR / DTDVALID
  // (no external subset is read), XML_PARSE_NONET (nothing over the network either way), no
  // XML_PARSE_HUGE (libxml2's depth and size limits apply).
  constexpr int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  std::unique_ptr<xmlDoc, doc_free> doc(xmlCtxtReadMemory(
      ctxt.get(), body.data(), static_cast<int>(body.size()), nullptr, nullptr, options));
  if (!doc || !ctxt->wellFormed) {
    out.outcome = v::malformed;
    out.error = err.seen ? err.text : "the body is not well-formed XML";
    return out;
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root && has_entity_reference(root->children)) {
    // Expanding them could read files or loop; validating them unexpanded is not possible.
    out.outcome = v::unchecked;
    out.error = "the body uses entity references, which sipwright never expands";
    return out;
  }
  std::unique_ptr<xmlSchemaValidCtxt, valid_free> valid(xmlSchemaNewValidCtxt(s.get()));
  if (!valid) {
    out.outcome = v::unchecked;
    out.error = "libxml2 could not allocate a schema validator";
    return out;
  }
  xmlSchemaSetValidStructuredErrors(valid.get(), collect, &err);
  const int rc = xmlSchemaValidateDoc(valid.get(), doc.get());
  if (rc != 0) {
    out.outcome = rc > 0 ? v::invalid : v::unchecked;
    out.error = err.seen ? err.text : "the body is not valid against the ims-3gpp schema";
    return out;
  }
  for (const xmlNode* n = root->children; n; n = n->next) {
    if (!named(n, "alternative-service")) continue;
    out.has_alternative_service = true;
    for (const xmlNode* c = n->children; c; c = c->next) {
      if (named(c, "type")) out.type = trimmed_text(c);
      if (named(c, "action")) out.actions.push_back(trimmed_text(c));
    }
    break;
  }
  return out;
}

} // namespace sipwright::checks::detail
