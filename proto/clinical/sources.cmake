# The clinical model and its JSON form.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/model_json.cpp)
