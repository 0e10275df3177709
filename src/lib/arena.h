/* arena.h: a bump allocator for the parsed JSON of one record.
 *
 * jansson allocates every object, string and hash bucket of a parsed line
 * separately; a stream filter frees them all a moment later. While the
 * arena is on (fs_arena_begin), jansson allocates from it and frees are
 * no-ops; fs_arena_reset then reclaims the whole record at once. Nothing
 * jansson allocates while the arena is on may outlive the reset: the loop
 * holds to this by releasing each record before the next. Sanitizer builds
 * keep jansson on malloc so that they still see every allocation.
 */
#ifndef FS_ARENA_H
#define FS_ARENA_H

/* Routes jansson's allocations to the arena from now on. */
void fs_arena_begin(void);
/* Reclaims everything allocated since the last reset. */
void fs_arena_reset(void);
/* Routes jansson back to malloc and frees the arena. */
void fs_arena_end(void);

#endif
