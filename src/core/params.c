/* SPDX-License-Identifier: MIT */
/*
 * params.c - configuration parameters: the registry values an INF would
 * create, set by the host per driver (ndisdma_driver_set_param) and copied
 * into each adapter it starts, where NdisReadConfiguration reads them.
 */
#include "hwio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ND_PARAM_NAME_MAX 255
#define ND_PARAM_VALUE_MAX 4095

static struct nd_param *find(const struct nd_params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcasecmp(p->v[i].name, name))
			return &p->v[i];
	return NULL;
}

int nd_params_set(struct nd_params *p, const char *name, const char *value)
{
	struct nd_param *e = find(p, name);
	if (!value) {
		if (!e)
			return -ENOENT;
		free(e->name);
		free(e->value);
		*e = p->v[--p->n];
		return 0;
	}
	char *v = strdup(value);
	if (!v)
		return -ENOMEM;
	if (e) {
		free(e->value);
		e->value = v;
		return 0;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 8;
		struct nd_param *n = realloc(p->v, cap * sizeof(*n));
		if (!n) {
			free(v);
			return -ENOMEM;
		}
		p->v = n;
		p->cap = cap;
	}
	char *nm = strdup(name);
	if (!nm) {
		free(v);
		return -ENOMEM;
	}
	p->v[p->n++] = (struct nd_param){nm, v};
	return 0;
}

const char *nd_params_get(const struct nd_params *p, const char *name)
{
	const struct nd_param *e = find(p, name);
	return e ? e->value : NULL;
}

int nd_params_copy(struct nd_params *dst, const struct nd_params *src)
{
	for (size_t i = 0; i < src->n; i++)
		if (nd_params_set(dst, src->v[i].name, src->v[i].value)) {
			nd_params_free(dst);
			return -ENOMEM;
		}
	return 0;
}

void nd_params_free(struct nd_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	*p = (struct nd_params){0};
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* The driver's hw state, created on first use. d->lock held. */
static struct nd_drvhw *drvhw(struct nd_driver *d)
{
	if (!d->hw)
		d->hw = calloc(1, sizeof(*d->hw));
	return d->hw;
}

int ndisdma_driver_set_param(ndisdma_driver *h, const char *name,
			     const char *value)
{
	struct nd_driver *d = nd_driver_from_handle(h);
	if (!d || !name || !*name || strlen(name) > ND_PARAM_NAME_MAX ||
	    !printable(name) ||
	    (value &&
	     (strlen(value) > ND_PARAM_VALUE_MAX || !printable(value))))
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	struct nd_drvhw *hw = drvhw(d);
	int rc = hw ? nd_params_set(&hw->params, name, value) : -ENOMEM;
	pthread_mutex_unlock(&d->lock);
	return rc;
}

int ndisdma_driver_set_sim_model(ndisdma_driver *h,
				 const struct ndisdma_sim_model *model,
				 void *model_ctx)
{
	struct nd_driver *d = nd_driver_from_handle(h);
	if (!d || (model && !model->attach))
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	struct nd_drvhw *hw = drvhw(d);
	if (hw) {
		hw->has_model = model != NULL;
		if (model)
			hw->model = *model;
		hw->model_ctx = model_ctx;
	}
	pthread_mutex_unlock(&d->lock);
	return hw ? 0 : -ENOMEM;
}

void nd_drvhw_free(struct nd_drvhw *hw)
{
	if (!hw)
		return;
	nd_params_free(&hw->params);
	free(hw);
}
