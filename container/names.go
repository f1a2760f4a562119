package container

import (
	"crypto/rand"
	"math/big"
)

var (
	adjectives = []string{"admiring", "brave", "clever", "dreamy", "eager", "focused", "gallant", "happy", "jolly", "keen", "lucid", "modest", "nifty", "quirky", "serene", "tender", "upbeat", "vibrant", "wizardly", "zealous"}
	surnames   = []string{"babbage", "curie", "darwin", "euler", "fermi", "galois", "hopper", "jennings", "knuth", "lovelace", "meitner", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak", "yalow", "zuse"}
)

// RandomName returns a Docker-style adjective_surname name.
func RandomName() string {
	return pick(adjectives) + "_" + pick(surnames)
}

func pick(list []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	if err != nil {
		return list[0]
	}
	return list[n.Int64()]
}
