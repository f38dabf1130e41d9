#include "hpd/hpd_mapping.hpp"
