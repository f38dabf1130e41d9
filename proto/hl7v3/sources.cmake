# HL7 V3 (PIX V3 / PDQ V3) messages in SOAP 1.2 with WS-Addressing, on proto/xml.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/datatypes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/header.cpp
  ${CMAKE_CURRENT_LIST_DIR}/soap.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ack.cpp
  ${CMAKE_CURRENT_LIST_DIR}/feed.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pix_query.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pdq_query.cpp)
list(APPEND PROTO_DEPS LibXml2::LibXml2)
