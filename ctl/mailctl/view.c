/* view.c: what the table views share: JSON cells, key-value lists, the end of a view. */
#include <stdio.h>

#include "ctl/mailctl/ctl.h"
#include "ctl/mailctl/view.h"

static const char *const kv_heads[] = { "KEY", "VALUE" };

void
view_add(struct table *t, json_t *v)
{
	char cell[1024];

	ctl_cell(cell, sizeof(cell), v);
	table_add(t, cell);
}

void
view_add_limit(struct table *t, json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) == 0)
		table_add(t, "none");
	else
		view_add(t, v);
}

int
view_kv_init(struct table *t)
{
	if (table_init(t, 2, kv_heads, "ll") == -1)
		return -1;
	t->headless = 1;
	return 0;
}

int
view_finish(struct table *t, FILE *out)
{
	int r = table_write(t, out);

	table_free(t);
	return r;
}
