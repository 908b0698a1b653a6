package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// readConfigFile reads a --config file: one mount option per line, spelled as with -o
// ("cache_size=4GiB", "cache-size = 4GiB", "allow_other", "ro"); blank lines and lines
// starting with '#' are skipped. The items go before the -o ones, so -o and command-line
// flags win over the file.
func readConfigFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	var items []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, hasValue := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if name == "config" {
			return nil, fmt.Errorf("--config %s:%d: a config file cannot name another", path, n)
		}
		if strings.Contains(line, ",") {
			return nil, fmt.Errorf("--config %s:%d: one option per line, no commas", path, n)
		}
		if hasValue {
			name += "=" + strings.TrimSpace(value)
		}
		items = append(items, name)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	return items, nil
}

// configFileOption returns the file named by a "config=FILE" item among the -o options, so an
// fstab line can say -o config=/etc/aisfs/x.conf.
func configFileOption(opts []string) string {
	file := ""
	for _, o := range opts {
		for item := range strings.SplitSeq(o, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(item), "config="); ok {
				file = v
			}
		}
	}
	return file
}

// cliConfigPath is where the AIS CLI keeps its configuration: $HOME/.config/ais/cli/cli.json
// (AIS v1.5.0's cos.HomeConfigDir; the CLI has no environment override for it).
func cliConfigPath() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".config", "ais", "cli", "cli.json")
}

// cliConfig is the part of the AIS CLI's cli.json that aisfs uses.
type cliConfig struct {
	Cluster struct {
		URL           string `json:"url"`
		SkipVerifyCrt bool   `json:"skip_verify_crt"`
	} `json:"cluster"`
}

// readCLIConfig returns the AIS CLI's configured cluster, or a zero config when there is none.
// A file that is there but unreadable is an error: the user configured something.
func readCLIConfig() (cliConfig, string, error) {
	var cfg cliConfig
	path := cliConfigPath()
	if path == "" {
		return cfg, "", nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, path, nil
	}
	if err != nil {
		return cfg, path, fmt.Errorf("AIS CLI config: %w", err)
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, path, fmt.Errorf("AIS CLI config %s: %v", path, err)
	}
	return cfg, path, nil
}

// resolveEndpoint picks the endpoint of a bucket SOURCE the way the AIS CLI does: --endpoint
// (or -o endpoint=, or the --config file), then $AIS_ENDPOINT, then cluster.url of the CLI's
// cli.json. skipVerify reports the CLI's cluster.skip_verify_crt when the endpoint came from
// there, so an HTTPS cluster `ais` reaches is reached the same way.
func resolveEndpoint(flag string) (ep string, skipVerify bool, err error) {
	if flag != "" {
		return flag, false, nil
	}
	if ep := os.Getenv("AIS_ENDPOINT"); ep != "" {
		return ep, false, nil
	}
	cfg, path, err := readCLIConfig()
	if err != nil {
		return "", false, err
	}
	if cfg.Cluster.URL != "" {
		return strings.TrimRight(cfg.Cluster.URL, "/"), cfg.Cluster.SkipVerifyCrt, nil
	}
	if path == "" {
		path = "~/.config/ais/cli/cli.json"
	}
	return "", false, fmt.Errorf("no endpoint: give --endpoint, -o endpoint=, $AIS_ENDPOINT, or cluster.url in %s", path)
}
