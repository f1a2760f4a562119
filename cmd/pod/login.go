package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/pod-project/pod/image"
)

// newLoginCommand builds `pod login`.
func newLoginCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var user, password string
	var passwordStdin, getLogin, verbose bool
	cmd := &cobra.Command{
		Use:   "login [flags] [REGISTRY]",
		Short: "Log in to a registry",
		Long: "Check a username and password with the registry and store them in\n" +
			"$XDG_RUNTIME_DIR/containers/auth.json (mode 0600), or --authfile. Without -u or a\n" +
			"password, prompts on a terminal (the password without echo). REGISTRY defaults to docker.io.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			registry := "docker.io"
			if len(args) == 1 {
				registry = args[0]
			}
			out := cmd.OutOrStdout()
			if getLogin {
				u, err := image.LoggedInUser(registry, rf.options(cmd))
				if err != nil {
					return err
				}
				fmt.Fprintln(out, u)
				return nil
			}
			in := bufio.NewReader(cmd.InOrStdin())
			pw, err := passwordFrom(in, user, password, passwordStdin)
			if err != nil {
				return err
			}
			name := user
			if name, pw, err = prompt(in, out, name, pw); err != nil {
				return err
			}
			where, err := image.Login(cmd.Context(), registry, image.LoginOptions{
				RegistryOptions: rf.options(cmd), Username: name, Password: pw,
			})
			if err != nil {
				return err
			}
			if verbose {
				fmt.Fprintln(out, "Used:", where)
			}
			fmt.Fprintln(out, "Login Succeeded!")
			return nil
		},
	}
	rf.register(cmd, false, false)
	f := cmd.Flags()
	f.StringVarP(&user, "username", "u", "", "username")
	f.StringVarP(&password, "password", "p", "", "password (visible to other users: prefer --password-stdin)")
	f.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&getLogin, "get-login", false, "print the username stored for the registry")
	f.BoolVarP(&verbose, "verbose", "v", false, "say which auth file was written")
	return cmd
}

// passwordFrom is --password, or with --password-stdin the first line of
// standard input.
func passwordFrom(in io.Reader, user, password string, fromStdin bool) (string, error) {
	if !fromStdin {
		return password, nil
	}
	if password != "" {
		return "", usageErrorf("--password and --password-stdin cannot be used together")
	}
	if user == "" {
		return "", usageErrorf("--password-stdin needs --username")
	}
	b, err := io.ReadAll(in)
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// prompt asks for what is missing on a terminal: the username with echo,
// the password without.
func prompt(in *bufio.Reader, out io.Writer, user, password string) (string, string, error) {
	tty := term.IsTerminal(int(os.Stdin.Fd()))
	if user == "" {
		if !tty {
			return "", "", usageErrorf("no username: use -u (and --password-stdin) when not on a terminal")
		}
		fmt.Fprint(out, "Username: ")
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", "", err
		}
		user = strings.TrimSpace(line)
	}
	if password == "" {
		if !tty {
			return "", "", usageErrorf("no password: use --password-stdin when not on a terminal")
		}
		b, err := readPassword(int(os.Stdin.Fd()), out, "Password: ")
		fmt.Fprintln(out)
		if err != nil {
			return "", "", fmt.Errorf("reading the password: %w", err)
		}
		password = string(b)
	}
	return user, password, nil
}

// readPassword turns the terminal's echo off, then prompts and reads a
// line: a password typed as soon as the prompt shows is never echoed
// (prompting first, as term.ReadPassword's callers do, leaves a moment
// where it is).
func readPassword(fd int, out io.Writer, prompt string) ([]byte, error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return nil, err
	}
	defer func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }()
	fmt.Fprint(out, prompt)
	var line []byte
	var c [1]byte
	for {
		n, err := unix.Read(fd, c[:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 || c[0] == '\n' {
			return line, nil
		}
		line = append(line, c[0])
	}
}
