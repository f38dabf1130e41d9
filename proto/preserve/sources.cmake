# The preservation copy's manifest (gateway and preservation node share it).
list(APPEND PROTO_SOURCES ${CMAKE_CURRENT_LIST_DIR}/manifest.cpp)
