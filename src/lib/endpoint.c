/* endpoint.c: fsscore --endpoint (see endpoint.h). */
#include "endpoint.h"
