/* pool.c: a small pthread worker pool that runs one parallel loop at a
 * time.
 *
 * Tasks are claimed from a shared counter, so whichever threads are
 * running take them: on a machine shared with other work, a worker that
 * the scheduler has not run yet simply gets nothing, instead of holding
 * up the loop with its fixed share. Results never depend on which thread
 * ran a task: every task writes its own outputs (a range of rows, a
 * chunk's partial sums); the thread index only picks scratch buffers.
 *
 * The counter is one 64-bit word holding the loop's generation, its task
 * count and the next task, advanced by compare-and-swap: a claim succeeds
 * only while that very loop has tasks left, and the caller does not touch
 * the loop's function and context until every task of it has finished, so
 * a worker that wakes late can never run a task of one loop with another
 * loop's context.
 *
 * Workers spin for a short while before sleeping on the condition
 * variable: a training step issues a few dozen loops of well under a
 * millisecond each, and a futex wake-up per loop would cost more than
 * the loop. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "interp/engine_internal.h"

struct qf_pool {
	int threads;
	pthread_t *tid;
	pthread_mutex_t mu;
	pthread_cond_t wake, done_cv;
	/* The current loop: set before its generation is published. */
	qf_task_fn fn;
	void *ctx;
	_Atomic uint64_t claim;      /* generation << 40 | tasks << 20 | next task */
	atomic_int done;             /* tasks of the current loop finished */
	bool quit;
};

typedef struct {
	qf_pool *p;
	int id;
} worker_arg;

#define TASK_BITS 20
#define TASK_MASK ((1u << TASK_BITS) - 1)
static uint32_t gen_of(uint64_t v)
{
	return (uint32_t)(v >> (2 * TASK_BITS));
}

/* Runs tasks of generation gen until none is left. */
static void run_tasks(qf_pool *p, uint32_t gen, int thread)
{
	uint64_t v = atomic_load_explicit(&p->claim, memory_order_acquire);
	for (;;) {
		uint32_t next = (uint32_t)v & TASK_MASK, n = (uint32_t)(v >> TASK_BITS) & TASK_MASK;
		if (gen_of(v) != gen || next >= n)
			return;
		if (!atomic_compare_exchange_weak_explicit(&p->claim, &v, v + 1, memory_order_acq_rel,
							   memory_order_acquire))
			continue;
		p->fn(p->ctx, (int)next, thread);
		if (atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1 == (int)n) {
			pthread_mutex_lock(&p->mu);
			pthread_cond_signal(&p->done_cv);
			pthread_mutex_unlock(&p->mu);
		}
		v = atomic_load_explicit(&p->claim, memory_order_acquire);
	}
}

/* Spin iterations before sleeping; one in 64 yields the CPU. */
#define SPIN 4000

static void *worker(void *argp)
{
	worker_arg *wa = argp;
	qf_pool *p = wa->p;
	int id = wa->id;
	free(wa);
	uint32_t seen = 0;
	for (;;) {
		uint32_t g;
		int spins = 0;
		while ((g = gen_of(atomic_load_explicit(&p->claim, memory_order_acquire))) == seen && spins < SPIN)
			if (spins++ % 64 == 63)
				sched_yield();
		if (g == seen) {
			pthread_mutex_lock(&p->mu);
			while ((g = gen_of(atomic_load_explicit(&p->claim, memory_order_acquire))) == seen && !p->quit)
				pthread_cond_wait(&p->wake, &p->mu);
			bool quit = p->quit && g == seen;
			pthread_mutex_unlock(&p->mu);
			if (quit)
				return NULL;
		}
		seen = g;
		run_tasks(p, g, id);
	}
}

qf_pool *qf_pool_new(int threads)
{
	QF_ASSERT(threads >= 1);
	qf_pool *p = qf_xcalloc(1, sizeof(*p));
	p->threads = threads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done_cv, NULL);
	atomic_init(&p->claim, 0);
	atomic_init(&p->done, 0);
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
	pthread_cond_destroy(&p->done_cv);
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
	QF_ASSERT(ntasks <= (int)TASK_MASK);
	if (!p || p->threads == 1 || ntasks == 1) {
		for (int t = 0; t < ntasks; t++)
			fn(ctx, t, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->ctx = ctx;
	atomic_store_explicit(&p->done, 0, memory_order_relaxed);
	/* 24 bits of generation: it only has to differ from the last one a
	 * worker saw. */
	uint32_t gen = (gen_of(atomic_load_explicit(&p->claim, memory_order_relaxed)) + 1) & 0xffffff;
	atomic_store_explicit(&p->claim, (uint64_t)gen << (2 * TASK_BITS) | (uint64_t)ntasks << TASK_BITS,
			      memory_order_release);
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->mu);

	run_tasks(p, gen, 0);

	int spins = 0;
	while (atomic_load_explicit(&p->done, memory_order_acquire) < ntasks && spins < SPIN)
		if (spins++ % 64 == 63)
			sched_yield();
	if (atomic_load_explicit(&p->done, memory_order_acquire) < ntasks) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load_explicit(&p->done, memory_order_acquire) < ntasks)
			pthread_cond_wait(&p->done_cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
}
