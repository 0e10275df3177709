/* endpoint.h: fsscore --endpoint, scoring through a model server. */
#ifndef FS_ENDPOINT_H
#define FS_ENDPOINT_H
#endif
