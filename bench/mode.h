/*
 * pocbench's measurements, one function per mode (see pocbench.c): each
 * runs its connections, on worker threads where there are several, and
 * prints one JSON object, or exits 1 if any message was not acknowledged.
 */
#ifndef POC_BENCH_MODE_H
#define POC_BENCH_MODE_H

void	 mode_tput(void);
void	 mode_lat(void);
void	 mode_storm(void);
void	 mode_idle(void);
void	 mode_queue(void);

#endif
