# src/cli: the psremote command.
bin_PROGRAMS += psremote
dist_man_MANS += man/psremote.1
noinst_HEADERS += src/cli/cli.h src/cli/conn_args.h src/cli/password.h
psremote_SOURCES = src/cli/main.c src/cli/conn_args.c src/cli/password.c src/cli/exec.c
psremote_CFLAGS = $(AM_CFLAGS) $(SSL_CFLAGS) -pthread
psremote_LDADD = libpsremote.la $(SSL_LIBS) -lpthread
