/* pool.c: a small pthread worker pool that runs one parallel loop at a
 * time. Tasks are dealt out statically (task t on thread t % threads) so
 * that which thread's scratch a task uses never varies between runs.
 *
 * Workers spin for a short while before sleeping on the condition
 * variable: a training step issues a few dozen loops of well under a
 * millisecond each, and a futex wake-up per loop would cost more than
 * the loop on a busy machine. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "interp/engine_internal.h"

struct qf_pool {
	int threads;
	pthread_t *tid;
	pthread_mutex_t mu;
	pthread_cond_t wake, done;
	/* The current loop, published under mu with a new generation. */
	qf_task_fn fn;
	void *ctx;
	int ntasks;
	atomic_uint gen;
	atomic_int pending;          /* workers still running the current loop */
	bool quit;
};

typedef struct {
	qf_pool *p;
	int id;
} worker_arg;

static void run_share(qf_pool *p, int thread)
{
	for (int t = thread; t < p->ntasks; t += p->threads)
		p->fn(p->ctx, t, thread);
}

/* Spin iterations before a worker sleeps; each is a pause instruction or
 * a yield, a few microseconds in all. */
#define SPIN 4000

static void *worker(void *argp)
{
	worker_arg *wa = argp;
	qf_pool *p = wa->p;
	int id = wa->id;
	free(wa);
	unsigned seen = 0;
	for (;;) {
		unsigned g;
		int spins = 0;
		while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen && spins < SPIN) {
			if (spins++ % 64 == 63)
				sched_yield();
		}
		if (g == seen) {
			pthread_mutex_lock(&p->mu);
			while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen && !p->quit)
				pthread_cond_wait(&p->wake, &p->mu);
			bool quit = p->quit && g == seen;
			pthread_mutex_unlock(&p->mu);
			if (quit)
				return NULL;
		}
		seen = g;
		run_share(p, id);
		if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done);
			pthread_mutex_unlock(&p->mu);
		}
	}
}

qf_pool *qf_pool_new(int threads)
{
	QF_ASSERT(threads >= 1);
	qf_pool *p = qf_xcalloc(1, sizeof(*p));
	p->threads = threads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	atomic_init(&p->gen, 0);
	atomic_init(&p->pending, 0);
	p->tid = qf_xcalloc((size_t)threads, sizeof(pthread_t));
	for (int i = 1; i < threads; i++) {
		worker_arg *wa = qf_xmalloc(sizeof(*wa));
		wa->p = p;
		wa->id = i;
		if (pthread_create(&p->tid[i], NULL, worker, wa) != 0)
			qf_die("cannot start worker thread %d", i);
	}
	return p;
}

void qf_pool_free(qf_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);
	for (int i = 1; i < p->threads; i++)
		pthread_join(p->tid[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	free(p->tid);
	free(p);
}

int qf_pool_threads(const qf_pool *p)
{
	return p ? p->threads : 1;
}

void qf_pool_run(qf_pool *p, int ntasks, qf_task_fn fn, void *ctx)
{
	if (ntasks <= 0)
		return;
	if (!p || p->threads == 1 || ntasks == 1) {
		for (int t = 0; t < ntasks; t++)
			fn(ctx, t, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	p->ntasks = ntasks;
	atomic_store_explicit(&p->pending, p->threads - 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);

	run_share(p, 0);

	int spins = 0;
	while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0 && spins < SPIN) {
		if (spins++ % 64 == 63)
			sched_yield();
	}
	if (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load_explicit(&p->pending, memory_order_acquire) > 0)
			pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
}
