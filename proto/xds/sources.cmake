# IHE XDS.b / XCA messages (ebRS 3.0 AdhocQuery, RetrieveDocumentSet) and MTOM/XOP packaging,
# on proto/xml.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ebrs.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mtom.cpp)
list(APPEND PROTO_DEPS LibXml2::LibXml2)
