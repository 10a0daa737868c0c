// libFuzzer driver for a .NET fuzz target instrumented with SharpFuzz (tools/fuzz.sh builds and runs it).
//
// libFuzzer runs in this process; the target runs in a child .NET process that SharpFuzz's
// Fuzzer.LibFuzzer.Run drives. They share one System V segment: SharpFuzz's 64 KiB edge-coverage map, then the
// input. Two pipes carry the rest: on the control pipe this side writes an input's length (int32), on the status
// pipe the child answers with an int32 (0 ready or done, anything else a crash: an exception escaped the target).
// After each input the map is copied into libFuzzer's extra counters, which is how libFuzzer sees the managed
// code's coverage. A child that dies or stops answering is a crash or a timeout in libFuzzer's terms.
//
// The child command is the environment's EMAILCORE_FUZZ_COMMAND, split on spaces (no quoting).

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define COVERAGE_BYTES (1 << 16)      // SharpFuzz's map size
#define INPUT_BYTES (1 << 20)         // the longest input passed on; run libFuzzer with -max_len below it

// libFuzzer reads this section after every input as additional coverage (through the linker's __start_/__stop_
// symbols of the section). Not static, and marked used: it is only written here, so it must not be optimized away.
__attribute__((used, section("__libfuzzer_extra_counters"))) uint8_t emailcore_coverage[COVERAGE_BYTES];

static uint8_t *shared;
static int control_fd = -1;
static int status_fd = -1;
static pid_t child = -1;

static void die(const char *what)
{
    fprintf(stderr, "emailcore fuzz driver: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int write_all(int fd, const void *buffer, size_t count)
{
    const uint8_t *p = buffer;
    while (count > 0) {
        ssize_t n = write(fd, p, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        count -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buffer, size_t count)
{
    uint8_t *p = buffer;
    while (count > 0) {
        ssize_t n = read(fd, p, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        count -= (size_t)n;
    }
    return 0;
}

static void stop_child(void)
{
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        child = -1;
    }
}

// The child's argument vector: the command split on spaces, in one writable copy.
static char **split_command(const char *command)
{
    static char *argv[64];
    char *copy = strdup(command);
    int argc = 0;
    for (char *word = strtok(copy, " "); word != NULL && argc < 63; word = strtok(NULL, " ")) argv[argc++] = word;
    argv[argc] = NULL;
    return argc > 0 ? argv : NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *command = getenv("EMAILCORE_FUZZ_COMMAND");
    char **child_argv = command == NULL ? NULL : split_command(command);
    if (child_argv == NULL) {
        fprintf(stderr, "emailcore fuzz driver: set EMAILCORE_FUZZ_COMMAND to the target's command line\n");
        exit(1);
    }

    int segment = shmget(IPC_PRIVATE, COVERAGE_BYTES + INPUT_BYTES, IPC_CREAT | IPC_EXCL | 0600);
    if (segment < 0) die("shmget");
    shared = shmat(segment, NULL, 0);
    if (shared == (void *)-1) die("shmat");
    // Marked for removal now: it goes when both processes have detached, however they end.
    shmctl(segment, IPC_RMID, NULL);

    int control[2], status[2];
    if (pipe(control) != 0 || pipe(status) != 0) die("pipe");

    char value[32];
    snprintf(value, sizeof value, "%d", segment);
    setenv("__LIBFUZZER_SHM_ID", value, 1);
    snprintf(value, sizeof value, "%d", control[0]);
    setenv("__LIBFUZZER_CONTROL_PIPE_ID", value, 1);
    snprintf(value, sizeof value, "%d", status[1]);
    setenv("__LIBFUZZER_STATUS_PIPE_ID", value, 1);

    pid_t parent = getpid();
    child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        // The child goes with the driver, whichever way libFuzzer ends it (a timeout is an _exit from a signal).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        close(control[1]);
        close(status[0]);
        execvp(child_argv[0], child_argv);
        fprintf(stderr, "emailcore fuzz driver: cannot run %s: %s\n", child_argv[0], strerror(errno));
        _exit(127);
    }

    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];
    signal(SIGPIPE, SIG_IGN);
    atexit(stop_child);

    int32_t ready;
    if (read_all(status_fd, &ready, sizeof ready) != 0 || ready != 0) {
        fprintf(stderr, "emailcore fuzz driver: the target did not start (%s)\n", command);
        exit(1);
    }

    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_BYTES) size = INPUT_BYTES;
    memset(shared, 0, COVERAGE_BYTES);
    memcpy(shared + COVERAGE_BYTES, data, size);

    int32_t length = (int32_t)size;
    int32_t result;
    if (write_all(control_fd, &length, sizeof length) != 0 || read_all(status_fd, &result, sizeof result) != 0) {
        fprintf(stderr, "emailcore fuzz driver: the target process died on this input\n");
        abort();
    }

    memcpy(emailcore_coverage, shared, COVERAGE_BYTES);
    if (result != 0) {
        // The target printed the exception; abort() makes libFuzzer save the input as a crash.
        fprintf(stderr, "emailcore fuzz driver: the target failed on this input (status %d)\n", (int)result);
        abort();
    }

    return 0;
}
